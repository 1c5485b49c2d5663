import * as amqp from 'amqplib';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deleteTopology } from '../../test/support/broker';
import { queryOnce } from '../../test/support/db';
import { TEST_RABBITMQ_URL } from '../../test/support/env';
import { startTestStack, type TestStack } from '../../test/support/host';
import { waitUntil } from '../../test/support/wait';
import { postWebhook, ticketBody } from '../../test/support/webhooks';

/**
 * `npm run ops` as a user runs it: the compiled CLI in a child process (run `npm run build` first),
 * on the real Postgres and RabbitMQ, with the functions host stopped.
 */
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'tools', 'ops', 'main.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function ops(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', PETZI_DATA_DIR: emptyDataDir };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...base, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

let stack: TestStack;
let emptyDataDir: string;
let webhookIds: number[];
let env: Record<string, string>;

beforeAll(async () => {
  emptyDataDir = mkdtempSync(path.join(tmpdir(), 'ops-cli-'));
  stack = await startTestStack();
  await queryOnce(stack.db.url, "ALTER TABLE ticket ADD CONSTRAINT test_poison_cli CHECK (title <> 'POISON CLI')");
  const replies = await Promise.all(
    [ticketBody(1), ticketBody(2, { title: 'POISON CLI' }), ticketBody(3)].map((b) => postWebhook(stack.url, b)),
  );
  webhookIds = replies.map((r) => r.json.id as number);
  await waitUntil(
    async () =>
      (await queryOnce<{ n: string }>(stack.db.url, 'SELECT count(*) AS n FROM dead_letter'))[0].n === '1'
        ? true
        : undefined,
    30_000,
    'the dead letter',
  );
  await waitUntil(
    async () =>
      (await queryOnce<{ n: string }>(stack.db.url, 'SELECT count(*) AS n FROM delivery_attempt'))[0].n === '3'
        ? true
        : undefined,
    10_000,
    'the delivery log',
  );
  // The CLI must work with the host down.
  await stack.host.stop();
  env = { DATABASE_URL: stack.db.url, RABBITMQ_URL: TEST_RABBITMQ_URL, PETZI_TOPOLOGY_PREFIX: stack.prefix };
});

afterAll(async () => {
  await stack?.db.drop();
  if (stack) await deleteTopology({ ...stack.host.deps.topology });
  rmSync(emptyDataDir, { recursive: true, force: true });
});

describe('npm run ops', () => {
  it('explains itself with --help, for every command, exit 0', async () => {
    const general = await ops(['--help']);
    expect(general.code).toBe(0);
    for (const command of ['deliveries', 'dead-letters', 'redrive', 'replay'])
      expect(general.stdout).toContain(command);
    const replay = await ops(['replay', '--help']);
    expect(replay).toMatchObject({ code: 0, stdout: expect.stringContaining('--from-id') });
  });

  it.each([
    [['frobnicate'], 'unknown command'],
    [['deliveries', '--colour', 'red'], '--colour'],
    [['deliveries', '--limit', '0'], '--limit'],
    [['deliveries', '--from', 'yesterday'], '--from'],
    [['dead-letters', '--state', 'lost'], '--state'],
    [['redrive'], '--all'],
    [['redrive', 'x1'], 'dead letter id'],
    [['replay', '--from-id', '5', '--to-id', '2'], '--to-id'],
    [['replay', '--limit'], '--limit'],
  ])('refuses %j with exit 2 naming %s', async (args, named) => {
    const run = await ops(args, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(named);
  });

  it('says where to find the database when it has none, exit 3', async () => {
    const run = await ops(['deliveries']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/DATABASE_URL.*npm start/);
  });

  it('finds the database npm start recorded in .data/services.json', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ops-cli-data-'));
    try {
      // This test's process stands in for a running npm start.
      writeFileSync(
        path.join(dataDir, 'services.json'),
        JSON.stringify({ databaseUrl: stack.db.url, rabbitmqUrl: TEST_RABBITMQ_URL, pid: process.pid }),
      );
      const run = await ops(['deliveries', '--json'], { PETZI_DATA_DIR: dataDir });
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as { items: unknown[] }).items).toHaveLength(3);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('lists the delivery log and the dead letters, as a table or as JSON', async () => {
    const table = await ops(['deliveries'], env);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^id\s+received at\s+status\s+outcome/);
    expect(table.stdout.match(/\bstored\b/g)).toHaveLength(3);
    const dead = await ops(['dead-letters', '--json'], env);
    expect(dead.code).toBe(0);
    expect(JSON.parse(dead.stdout)).toMatchObject({
      waiting: 1,
      items: [{ webhookId: webhookIds[1], reason: expect.stringContaining('test_poison_cli'), tries: 5 }],
    });
  });

  it('redrives a dead letter onto the relay queue from Postgres, and exits 4 for an unknown id', async () => {
    const [{ id }] = await queryOnce<{ id: string }>(stack.db.url, 'SELECT id FROM dead_letter');
    const unknown = await ops(['redrive', '987654'], env);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('987654');
    const run = await ops(['redrive', id], env);
    expect(run).toMatchObject({ code: 0, stdout: `redriven 1: ${id}\n` });
    const connection = await amqp.connect(TEST_RABBITMQ_URL);
    try {
      const channel = await connection.createChannel();
      // The host is down: the message waits in petzi.relay.
      const message = await channel.get(stack.host.deps.topology.relayQueue, { noAck: true });
      if (message === false) throw new Error('nothing on the relay queue');
      expect(JSON.parse(message.content.toString('utf8'))).toMatchObject({
        id: webhookIds[1],
        event: 'ticket_created',
      });
      await channel.close();
    } finally {
      await connection.close();
    }
    expect((await ops(['dead-letters', '--json'], env)).stdout).toContain('"waiting":0');
  });

  it('replays a range with a progress report on stderr', async () => {
    const run = await ops(
      ['replay', '--from-id', String(Math.min(...webhookIds)), '--to-id', String(Math.max(...webhookIds))],
      env,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^replayed 3 webhooks in \d+\.\d s\n$/);
    expect(run.stderr).toContain('replay 100% 3/3');
    const connection = await amqp.connect(TEST_RABBITMQ_URL);
    try {
      const channel = await connection.createChannel();
      expect((await channel.checkQueue(stack.host.deps.topology.relayQueue)).messageCount).toBe(3);
      await channel.close();
    } finally {
      await connection.close();
    }
  });
});
