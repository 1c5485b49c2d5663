import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { run } from '../src/cli';
import { INVALID_CASES } from '../src/invalid';
import { queryOnce } from '../../test/support/db';
import { TEST_SECRET } from '../../test/support/env';
import { startTestStack, type TestStack } from '../../test/support/host';
import { memoryIO } from './memoryStream';

const execFileAsync = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'simulator', 'src', 'cli.js');

let stack: TestStack;
let webhookUrl: string;

async function storedRows(): Promise<number> {
  const rows = await queryOnce<{ count: string }>(stack.db.url, 'SELECT count(*) AS count FROM webhook_event');
  return Number(rows[0]?.count);
}

/** A port nothing listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  stack = await startTestStack();
  webhookUrl = `${stack.url}/webhook`;
});

afterAll(async () => {
  await stack.stop();
});

describe('petzi-simulator against the local functions host', () => {
  test('--count 5 stores 5 rows and exits 0', async () => {
    const before = await storedRows();
    const io = memoryIO();
    const code = await run([webhookUrl, TEST_SECRET, '--count', '5', '--json'], io);
    const report = JSON.parse(io.stdout.text) as Record<string, unknown>;
    expect(report).toMatchObject({ ok: true, sent: 5, asExpected: 5, unexpected: 0, byStatus: { '200': 5 } });
    expect(code).toBe(0);
    expect((await storedRows()) - before).toBe(5);
  });

  test('mixed events with concurrency and a rate: all 200, updates stored after their creations', async () => {
    const before = await storedRows();
    const io = memoryIO();
    const code = await run(
      [
        webhookUrl,
        TEST_SECRET,
        '--count',
        '30',
        '--event',
        'mixed',
        '--concurrency',
        '4',
        '--rate',
        '200',
        '--seed',
        '7',
      ],
      io,
    );
    expect(io.stdout.text).toContain('all 30 got the expected status');
    expect(code).toBe(0);
    expect((await storedRows()) - before).toBe(30);
    // An update must arrive after the creation it refers to: compare arrival order per ticket.
    const misordered = await queryOnce<{ ticket_number: string }>(
      stack.db.url,
      `SELECT u.ticket_number FROM webhook_event u JOIN webhook_event c
         ON c.ticket_number = u.ticket_number AND c.event_type = 'ticket_created'
       WHERE u.event_type = 'ticket_updated' AND u.id < c.id`,
    );
    expect(misordered).toEqual([]);
    const updates = await queryOnce<{ count: string }>(
      stack.db.url,
      "SELECT count(*) AS count FROM webhook_event WHERE event_type = 'ticket_updated'",
    );
    expect(Number(updates[0]?.count)).toBeGreaterThan(0);
  });

  test('--event ticket_updated and a --duration run: every request is stored', async () => {
    const before = await storedRows();
    const io = memoryIO();
    const code = await run(
      [webhookUrl, TEST_SECRET, '--event', 'ticket_updated', '--duration', '1', '--rate', '20', '--json'],
      io,
    );
    const report = JSON.parse(io.stdout.text) as { ok: boolean; sent: number; byStatus: Record<string, number> };
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.sent).toBeGreaterThan(0);
    expect(report.byStatus).toEqual({ '200': report.sent });
    expect((await storedRows()) - before).toBe(report.sent);
    // The run is not piped to a terminal here, so progress is plain lines (or none in a short run), never a bar.
    expect(io.stderr.text).not.toContain('[#');
  });

  test('a wrong secret exits non-zero and shows the 401 bodies', async () => {
    const before = await storedRows();
    const io = memoryIO();
    const code = await run([webhookUrl, 'not-the-secret', '--count', '3'], io);
    expect(code).toBe(1);
    expect(io.stdout.text).toContain('by status   401: 3');
    expect(io.stdout.text).toContain('Invalid signature');
    expect(await storedRows()).toBe(before);
  });

  test('--invalid reports every case as expected', async () => {
    const before = await storedRows();
    const io = memoryIO();
    const code = await run([webhookUrl, TEST_SECRET, '--invalid', '--json'], io);
    const report = JSON.parse(io.stdout.text) as {
      ok: boolean;
      cases: Array<{ name: string; expectedStatus: number; status: number; asExpected: boolean }>;
    };
    expect(report.cases.map((c) => [c.name, c.status])).toEqual(INVALID_CASES.map((c) => [c.name, c.expectedStatus]));
    expect(report.cases.every((c) => c.asExpected)).toBe(true);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
    expect(await storedRows()).toBe(before);
  });

  test('--invalid with the wrong secret reports the signed cases as unexpected', async () => {
    const io = memoryIO();
    const code = await run([webhookUrl, 'not-the-secret', '--invalid'], io);
    expect(code).toBe(1);
    expect(io.stdout.text).toMatch(/not_json\s+400\s+401\s+WRONG/);
  });

  test('an unreachable URL exits 2 with a clear message', async () => {
    const port = await closedPort();
    const io = memoryIO();
    const code = await run([`http://127.0.0.1:${port}/webhook`, '--count', '3'], io);
    expect(code).toBe(2);
    expect(io.stderr.text).toContain(`cannot reach http://127.0.0.1:${port}/webhook`);
    expect(io.stderr.text).toContain('ECONNREFUSED');
  });

  test('bad arguments exit 64 with the usage', async () => {
    const io = memoryIO();
    const code = await run([webhookUrl, '--count', 'many'], io);
    expect(code).toBe(64);
    expect(io.stderr.text).toContain('--count must be a whole number');
    expect(io.stderr.text).toContain('Usage: petzi-simulator');
  });

  test('the built bin runs as a child process (npm run build first)', async () => {
    const before = await storedRows();
    const { stdout } = await execFileAsync(process.execPath, [
      CLI,
      webhookUrl,
      TEST_SECRET,
      '--count',
      '2',
      '--seed',
      '99',
    ]);
    expect(stdout).toContain('all 2 got the expected status');
    expect((await storedRows()) - before).toBe(2);
    const failed = await execFileAsync(process.execPath, [CLI, webhookUrl, 'wrong', '--json']).then(
      () => null,
      (error: { code?: number; stdout?: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(JSON.parse(failed?.stdout ?? '{}')).toMatchObject({ ok: false, byStatus: { '401': 1 } });
  });
});
