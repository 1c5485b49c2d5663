import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  outsideLocalDevelopment,
  topologyNames,
  computeSignature,
  signPayload,
  type Logger,
} from '../../functions/src';
import { deleteTopology } from '../support/broker';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { ADMIN_DATABASE_URL, TEST_RABBITMQ_URL, uniqueName } from '../support/env';
import { hostPortOf, startTcpProxy, type TcpProxy } from '../../tools/harness/tcpProxy';
import { waitUntil } from '../support/wait';
import { postWebhook, ticketBody } from '../support/webhooks';
import { startTestStack, type TestStack } from '../support/host';

/**
 * The webhook secret, and the signature the host computes with it, must never leave the process:
 * not in a log line (host logger or console), not in any response body, on success, on refusal
 * and on the error paths (Postgres and RabbitMQ cut off).
 */
const SECRET = 'hostile-Secret-7f3a9c21d4e8b650';

describe('the secret and the expected signature', () => {
  let stack: TestStack;
  let pgProxy: TcpProxy;
  let amqpProxy: TcpProxy;
  const lines: string[] = [];
  const capture: Logger = {
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
  const consoleSpies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    // Whatever anything prints to the console during the run is captured too, not just the host's logger.
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      consoleSpies.push(
        jest
          .spyOn(console, method)
          .mockImplementation(
            (...args: unknown[]) => void lines.push(`console.${method} ${args.map(String).join(' ')}`),
          ),
      );
    }
    const pg = hostPortOf(ADMIN_DATABASE_URL, 5432);
    pgProxy = await startTcpProxy(pg.host, pg.port);
    const amqp = new URL(TEST_RABBITMQ_URL);
    amqpProxy = await startTcpProxy(amqp.hostname, Number(amqp.port || 5672));
    // The host reaches both services through proxies the test can cut.
    stack = await startTestStack({
      log: capture,
      env: {
        PETZI_WEBHOOK_SECRET: `other-rotated-secret,${SECRET}`,
        RABBITMQ_URL: `amqp://${amqp.username}:${amqp.password}@127.0.0.1:${amqpProxy.port}`,
      },
      databaseUrlThrough: (url) => {
        const u = new URL(url);
        u.port = String(pgProxy.port);
        return u.toString();
      },
    });
  });

  afterAll(async () => {
    await pgProxy.restore().catch(() => undefined);
    await amqpProxy.restore().catch(() => undefined);
    await stack?.stop();
    await pgProxy.close();
    await amqpProxy.close();
    consoleSpies.forEach((spy) => spy.mockRestore());
  });

  it('appear in no log line and no response body, on success, refusal and error paths', async () => {
    const bodies: string[] = [];
    const expectedSignatures = new Set<string>();
    const now = Math.floor(Date.now() / 1000);
    const send = async (body: string, options: Parameters<typeof postWebhook>[2] = {}, timestamp = now) => {
      // What the host computes for this body and timestamp with each of its secrets.
      for (const secret of [SECRET, 'other-rotated-secret'])
        expectedSignatures.add(computeSignature(secret, timestamp, body).toString('hex'));
      const reply = await postWebhook(stack.url, body, { timestamp, secret: SECRET, ...options });
      bodies.push(JSON.stringify(reply.json));
      return reply.status;
    };

    const statuses = [
      await send(ticketBody(1)),
      await send(ticketBody(1)), // duplicate
      await send(ticketBody(2), { secret: 'wrong-secret' }),
      await send(ticketBody(3), { signature: `t=${now},v1=${'0'.repeat(64)}` }),
      await send(ticketBody(4), {
        signature: signPayload(SECRET, ticketBody(4), now).replace(/.$/, (c) => (c === '0' ? '1' : '0')),
      }),
      await send(ticketBody(5), {}, now - 3600),
      await send(ticketBody(6), {}, now + 3600),
      await send(ticketBody(7), { signature: null }),
      await send(ticketBody(8), { signature: `t=${now},v1=${SECRET}` }),
      await send('{"event":'),
      await send('[1,2]'),
      await send(JSON.stringify({ event: 'ticket_created', details: {} })),
      await send(ticketBody(9), { method: 'PUT' }),
      await send(`{"event":"x","pad":"${'a'.repeat(1024 * 1024)}"}`),
    ];
    expect(statuses).toEqual([200, 200, 401, 401, 401, 401, 401, 401, 401, 400, 400, 422, 405, 413]);

    // Postgres cut off: 503 and warnings; RabbitMQ cut off: reconnect warnings, outbox errors.
    await pgProxy.cut();
    expect(await send(ticketBody(10))).toBe(503);
    const health = await fetch(`${stack.url}/api/health`);
    bodies.push(await health.text());
    await pgProxy.restore();
    await amqpProxy.cut();
    await waitUntil(
      () => (lines.some((l) => /rabbit|amqp|broker/i.test(l)) ? true : undefined),
      10_000,
      'a broker warning',
    );
    expect(await send(ticketBody(11))).toBe(200);
    await amqpProxy.restore();
    await stack.host.deps.broker.waitUntilConnected(10_000);
    bodies.push(await (await fetch(`${stack.url}/metrics`)).text());

    // The run did log: warnings from both outages at least.
    expect(lines.some((l) => l.includes('database unavailable'))).toBe(true);
    expect(lines.some((l) => /broker/.test(l))).toBe(true);
    const leaks = (text: string) => text.includes(SECRET) || [...expectedSignatures].some((s) => text.includes(s));
    expect(lines.filter(leaks)).toEqual([]);
    expect(bodies.filter(leaks)).toEqual([]);
  });
});

describe('outsideLocalDevelopment', () => {
  it.each([
    [{}, false],
    [{ NODE_ENV: 'development' }, false],
    [{ NODE_ENV: 'test' }, false],
    [{ AZURE_FUNCTIONS_ENVIRONMENT: 'Development' }, false],
    [{ AZURE_FUNCTIONS_ENVIRONMENT: 'development' }, false],
    [{ NODE_ENV: 'production' }, true],
    [{ NODE_ENV: 'Production' }, true],
    [{ AZURE_FUNCTIONS_ENVIRONMENT: 'Production' }, true],
    [{ AZURE_FUNCTIONS_ENVIRONMENT: 'Staging' }, true],
    [{ WEBSITE_INSTANCE_ID: 'a1b2c3' }, true],
    [{ AZURE_FUNCTIONS_ENVIRONMENT: 'Development', WEBSITE_INSTANCE_ID: 'a1b2c3' }, true],
  ] as Array<[Record<string, string>, boolean]>)('%j → %s', (env, expected) => {
    expect(outsideLocalDevelopment(env)).toBe(expected);
  });
});

describe('starting the host (dist/host/src/main.js) with the example secret', () => {
  const MAIN = path.resolve(__dirname, '../../dist/host/src/main.js');
  let db: TestDatabase;
  const prefix = uniqueName('sec');

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
    await deleteTopology({ ...topologyNames(prefix) });
  });

  /**
   * Starts the host; once it listens (or exits by itself), stops it with SIGTERM. Returns its
   * output and exit code.
   */
  async function run(env: Record<string, string>): Promise<{ stderr: string; stdout: string; code: number | null }> {
    const base: Record<string, string | undefined> = { ...process.env };
    // The child's environment is exactly what the case says about these.
    for (const name of [
      'NODE_ENV',
      'AZURE_FUNCTIONS_ENVIRONMENT',
      'WEBSITE_INSTANCE_ID',
      'PETZI_WEBHOOK_SECRET',
      'SECRET_KEY',
      'PETZI_API_KEY',
      'HOST',
    ])
      delete base[name];
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...base,
        PORT: '0',
        DATABASE_URL: db.url,
        RABBITMQ_URL: TEST_RABBITMQ_URL,
        PETZI_TOPOLOGY_PREFIX: prefix,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((exitCode = code))));
    try {
      await waitUntil(
        () => (/listening on/.test(stdout) || exitCode !== undefined ? true : undefined),
        20_000,
        `host to listen or exit (stderr: ${stderr})`,
      );
      if (exitCode === undefined) child.kill('SIGTERM');
      return { stdout, stderr, code: await exited };
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }

  const KEY = 'a-real-api-key-0123456789';

  it.each([
    ['NODE_ENV=production', { NODE_ENV: 'production' }],
    ['AZURE_FUNCTIONS_ENVIRONMENT=Production', { AZURE_FUNCTIONS_ENVIRONMENT: 'Production' }],
    ['WEBSITE_INSTANCE_ID set (running in Azure)', { WEBSITE_INSTANCE_ID: '4f6c2e' }],
    ['the example secret given explicitly, in production', { NODE_ENV: 'production', PETZI_WEBHOOK_SECRET: 'secret' }],
    ['bound beyond loopback', { HOST: '0.0.0.0' }],
  ])('refuses to start with the example secret and %s, naming PETZI_WEBHOOK_SECRET', async (_name, env) => {
    const { stderr, stdout, code } = await run({ PETZI_API_KEY: KEY, ...env });
    expect(code).toBe(1);
    expect(stderr).toMatch(/set PETZI_WEBHOOK_SECRET/);
    expect(stdout).not.toMatch(/listening on/);
  });

  it('refuses to start in production without PETZI_API_KEY, naming it', async () => {
    const { stderr, code } = await run({ NODE_ENV: 'production', PETZI_WEBHOOK_SECRET: SECRET });
    expect(code).toBe(1);
    expect(stderr).toMatch(/set PETZI_API_KEY/);
    expect(stderr).not.toContain(SECRET);
  });

  it.each([
    ['locally (no environment markers)', {}],
    ['under func start (AZURE_FUNCTIONS_ENVIRONMENT=Development)', { AZURE_FUNCTIONS_ENVIRONMENT: 'Development' }],
    [
      'in production with a real secret and a key',
      { NODE_ENV: 'production', PETZI_WEBHOOK_SECRET: SECRET, PETZI_API_KEY: KEY },
    ],
  ])('starts %s, and prints neither secret nor key', async (_name, env) => {
    const { stderr, stdout, code } = await run(env);
    expect(stdout).toMatch(/listening on/);
    expect(stderr + stdout).not.toContain(SECRET);
    expect(stderr + stdout).not.toContain(KEY);
    expect(code).toBe(0);
  });
});
