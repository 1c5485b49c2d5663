import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { Registry } from 'prom-client';
import { createTestDatabase, type TestDatabase } from '../../test/support/db';
import { createOperationsMetrics, type OperationsMetrics } from '../src/metrics/operationsMetrics';
import { AttemptWriter, sourceAddressOf } from '../src/operate/attemptWriter';
import { migrate } from '../src/storage/migrate';
import { createPool } from '../src/storage/pool';

let db: TestDatabase;
let pool: Pool;
let metrics: OperationsMetrics;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  await migrate(pool);
});

beforeEach(async () => {
  metrics = createOperationsMetrics(new Registry());
  await pool.query('TRUNCATE delivery_attempt');
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

const facts = (n: number) => ({
  receivedAt: new Date(),
  outcome: 'stored',
  status: 200,
  bodyBytes: Buffer.byteLength(`body ${n}`),
  bodySha256: createHash('sha256').update(`body ${n}`).digest('hex'),
  signatureTimestamp: 1_700_000_000,
  webhookId: n,
});
const rows = async () =>
  Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM delivery_attempt')).rows[0].n);
const dropped = async () => (await metrics.attemptsDropped.get()).values[0]?.value ?? 0;

describe('the delivery log writer', () => {
  it('writes a burst in one go and everything recorded before close', async () => {
    const writer = new AttemptWriter({ pool, metrics, log: () => undefined });
    for (let n = 1; n <= 2_500; n += 1) writer.record(facts(n));
    await writer.close();
    expect(await rows()).toBe(2_500);
    expect(await dropped()).toBe(0);
    const {
      rows: [first],
    } = await pool.query<{ signature_timestamp: Date; body_bytes: number }>(
      'SELECT signature_timestamp, body_bytes FROM delivery_attempt WHERE webhook_id = 1',
    );
    expect(first).toEqual({ signature_timestamp: new Date(1_700_000_000_000), body_bytes: 6 });
  });

  it('is bounded: past maxQueued it drops and counts, never queues without end', async () => {
    const writer = new AttemptWriter({ pool, metrics, log: () => undefined, maxQueued: 3 });
    for (let n = 1; n <= 10; n += 1) writer.record(facts(n));
    await writer.close();
    expect(await rows()).toBe(3);
    expect(await dropped()).toBe(7);
    expect((await metrics.attempts.get()).values[0]).toMatchObject({ labels: { outcome: 'stored' }, value: 10 });
  });

  it('counts a batch the database refuses as dropped, logs once, and goes on', async () => {
    const lines: string[] = [];
    const closed = createPool(db.url);
    await closed.end();
    const writer = new AttemptWriter({ pool: closed, metrics, log: (m) => lines.push(m) });
    writer.record(facts(1));
    await writer.close();
    writer.record(facts(2));
    await writer.close();
    expect(await dropped()).toBe(2);
    expect(lines).toHaveLength(1);
  });
});

describe('sourceAddressOf', () => {
  it.each([
    [null, null],
    ['', null],
    ['203.0.113.7', '203.0.113.7'],
    ['203.0.113.7, ::ffff:127.0.0.1', '203.0.113.7, ::ffff:127.0.0.1'],
    ['evil\u0000, 10.0.0.1, <script>', '10.0.0.1'],
    ['1.1.1.1, 2.2.2.2, 3.3.3.3, 4.4.4.4, 5.5.5.5', '2.2.2.2, 3.3.3.3, 4.4.4.4, 5.5.5.5'],
  ])('keeps the valid addresses of %j', (header, expected) => {
    expect(sourceAddressOf(header)).toBe(expected);
  });
});
