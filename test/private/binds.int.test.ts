import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { topologyNames } from '../../functions/src';
import { startChild, type Child } from '../../tools/bench/support';
import { deleteTopology } from '../support/broker';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { TEST_RABBITMQ_URL, uniqueName } from '../support/env';

/**
 * Loopback unless told otherwise, checked on the sockets the compiled processes really listen
 * on (/proc/net/tcp and tcp6), and refusing to run open when told otherwise without credentials.
 */
const DIST = path.resolve(__dirname, '../../dist');
const HOST_MAIN = 'dist/host/src/main.js';
const BRIDGE_MAIN = 'dist/bridge/src/main.js';
const DASHBOARD_MAIN = 'dist/dashboard/server/src/main.js';

/** The local addresses of the sockets listening on this TCP port, e.g. ['127.0.0.1'] or ['0.0.0.0']. */
function listeningOn(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 4 || fields[3] !== '0A') continue;
      const [hex, portHex] = fields[1].split(':');
      if (parseInt(portHex, 16) !== port) continue;
      found.push(
        hex.length === 8
          ? hex
              .match(/../g)!
              .reverse()
              .map((b) => parseInt(b, 16))
              .join('.')
          : hex === '0'.repeat(32)
            ? '::'
            : hex,
      );
    }
  }
  return found;
}

let db: TestDatabase;
const prefix = uniqueName('bind');
const children: Child[] = [];
/** The variables these cases are about are exactly what each case says. */
const clean = {
  HOST: '',
  NODE_ENV: '',
  PETZI_API_KEY: '',
  PETZI_ADMIN_KEY: '',
  DASHBOARD_PASSWORD: '',
  PETZI_WEBHOOK_SECRET: '',
  SECRET_KEY: '',
};
const base = () => ({
  ...clean,
  PORT: '0',
  DATABASE_URL: db.url,
  RABBITMQ_URL: TEST_RABBITMQ_URL,
  PETZI_TOPOLOGY_PREFIX: prefix,
});

async function run(script: string, env: Record<string, string>): Promise<Child> {
  const child = await startChild(script, { ...base(), ...env });
  children.push(child);
  return child;
}

beforeAll(async () => {
  if (!existsSync(path.join(DIST, 'host', 'src', 'main.js'))) throw new Error('run npm run build first');
  db = await createTestDatabase();
});

afterAll(async () => {
  for (const child of children) await child.stop();
  await db.drop();
  await deleteTopology({ ...topologyNames(prefix) });
});

describe('default binds', () => {
  it.each([
    ['the functions host', HOST_MAIN],
    ['the SSE bridge', BRIDGE_MAIN],
    ['the dashboard server', DASHBOARD_MAIN],
  ])('%s listens on 127.0.0.1 only, and its banner says so', async (_name, script) => {
    const child = await run(script, {});
    const url = new URL(child.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(listeningOn(Number(url.port))).toEqual(['127.0.0.1']);
  });

  it.each([
    ['the functions host', HOST_MAIN, { PETZI_API_KEY: 'k', PETZI_WEBHOOK_SECRET: 'a-real-secret' }],
    ['the SSE bridge', BRIDGE_MAIN, { PETZI_API_KEY: 'k' }],
    ['the dashboard server', DASHBOARD_MAIN, { DASHBOARD_PASSWORD: 'pw' }],
  ])('HOST=0.0.0.0 widens %s, and the banner prints what is really bound', async (_name, script, env) => {
    const child = await run(script, { HOST: '0.0.0.0', ...env });
    const url = new URL(child.url);
    expect(url.hostname).toBe('0.0.0.0');
    expect(listeningOn(Number(url.port))).toEqual(['0.0.0.0']);
  });
});

describe('refusing to run open', () => {
  it.each([
    [
      'the host bound wide without PETZI_API_KEY',
      HOST_MAIN,
      { HOST: '0.0.0.0', PETZI_WEBHOOK_SECRET: 'a-real-secret' },
      /set PETZI_API_KEY/,
    ],
    [
      'the host in production without PETZI_API_KEY',
      HOST_MAIN,
      { NODE_ENV: 'production', PETZI_WEBHOOK_SECRET: 'a-real-secret' },
      /set PETZI_API_KEY/,
    ],
    [
      'the host bound wide with the example secret',
      HOST_MAIN,
      { HOST: '0.0.0.0', PETZI_API_KEY: 'k' },
      /set PETZI_WEBHOOK_SECRET/,
    ],
    [
      'the host in production with the example secret given',
      HOST_MAIN,
      { NODE_ENV: 'production', PETZI_API_KEY: 'k', PETZI_WEBHOOK_SECRET: 'secret' },
      /set PETZI_WEBHOOK_SECRET/,
    ],
    ['the bridge bound wide without PETZI_API_KEY', BRIDGE_MAIN, { HOST: '0.0.0.0' }, /set PETZI_API_KEY/],
    ['the bridge in production without PETZI_API_KEY', BRIDGE_MAIN, { NODE_ENV: 'production' }, /set PETZI_API_KEY/],
    [
      'the dashboard bound wide without DASHBOARD_PASSWORD',
      DASHBOARD_MAIN,
      { HOST: '0.0.0.0' },
      /set DASHBOARD_PASSWORD/,
    ],
    [
      'the dashboard in production without DASHBOARD_PASSWORD',
      DASHBOARD_MAIN,
      { NODE_ENV: 'production' },
      /set DASHBOARD_PASSWORD/,
    ],
  ])('%s: exits 1 naming the variable to set, listening on nothing', async (_name, script, env, message) => {
    const failure = await run(script, env).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/exited with 1/);
    expect(failure).toMatch(message);
    expect(failure).not.toMatch(/listening on/);
  });
});
