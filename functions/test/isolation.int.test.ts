import * as amqp from 'amqplib';
import { createHash } from 'node:crypto';
import { captureExchange, type Capture } from '../../test/support/broker';
import { queryOnce } from '../../test/support/db';
import { TEST_RABBITMQ_URL } from '../../test/support/env';
import { startTestStack, type TestStack } from '../../test/support/host';
import { waitUntil } from '../../test/support/wait';
import { postWebhook, ticketBody } from '../../test/support/webhooks';
import { UnstorableValueError } from '../src/storage/errors';

/**
 * One bad item never takes its batch-mates down. The schema refuses every natural case at the
 * door, so each test makes one row poisonous with a CHECK constraint added to its own database
 * only: the row passes the schema and fails in Postgres, as a value the schema missed would.
 */

let stack: TestStack;
let live: Capture;
let connection: amqp.ChannelModel;
let channel: amqp.Channel;

beforeAll(async () => {
  stack = await startTestStack();
  await queryOnce(stack.db.url, "ALTER TABLE webhook_event ADD CONSTRAINT test_poison_ingest CHECK (payload #>> '{details,ticket,title}' IS DISTINCT FROM 'POISON INGEST')");
  await queryOnce(stack.db.url, "ALTER TABLE ticket ADD CONSTRAINT test_poison_relay CHECK (title <> 'POISON RELAY')");
  live = await captureExchange(stack.host.deps.topology.liveExchange, '');
  connection = await amqp.connect(TEST_RABBITMQ_URL);
  channel = await connection.createChannel();
});

afterAll(async () => {
  await channel.close();
  await connection.close();
  await live.close();
  await stack.stop();
});

const count = async (sql: string, params: unknown[] = []) => Number((await queryOnce<{ n: string }>(stack.db.url, sql, params))[0].n);

describe('the ingest group commit', () => {
  it('stores the batch-mates of a row Postgres refuses and gives the culprit its own error', async () => {
    const bodies = Array.from({ length: 31 }, (_, i) => ticketBody(1000 + i, i === 15 ? { title: 'POISON INGEST' } : {}));
    const now = Math.floor(Date.now() / 1000);
    // Called in one turn of the event loop, so the batcher hands all 31 to one statement.
    const results = await Promise.allSettled(
      bodies.map((rawBody) =>
        stack.host.deps.ingest.ingest({ eventType: 'ticket_created', bodySha256: createHash('sha256').update(rawBody).digest('hex'), signatureTimestamp: now, rawBody }),
      ),
    );
    const rejected = results.flatMap((r, i) => (r.status === 'rejected' ? [{ i, reason: r.reason as unknown }] : []));
    expect(rejected).toHaveLength(1);
    expect(rejected[0].i).toBe(15);
    expect(rejected[0].reason).toBeInstanceOf(UnstorableValueError);
    expect(results.filter((r) => r.status === 'fulfilled' && r.value.status === 'success')).toHaveLength(30);
    expect(await count("SELECT count(*) AS n FROM webhook_event WHERE ticket_number BETWEEN 'TEST00001000' AND 'TEST00001030'")).toBe(30);
  });

  it('answers a concurrent burst 200 but for the culprit, which gets a 422 and is not stored', async () => {
    const bodies = Array.from({ length: 41 }, (_, i) => ticketBody(2000 + i, i === 20 ? { title: 'POISON INGEST' } : {}));
    const replies = await Promise.all(bodies.map((body) => postWebhook(stack.url, body)));
    expect(replies.map((r) => r.status)).toEqual(bodies.map((_, i) => (i === 20 ? 422 : 200)));
    expect(replies[20].json.error).toMatch(/cannot be stored/);
    expect(await count("SELECT count(*) AS n FROM webhook_event WHERE ticket_number BETWEEN 'TEST00002000' AND 'TEST00002040'")).toBe(40);
    expect(await count("SELECT count(*) AS n FROM webhook_event WHERE payload #>> '{details,ticket,number}' = 'TEST00002020'")).toBe(0);
  });
});

describe('the relay batch', () => {
  it('relays 40 good webhooks once each and dead-letters only the poisonous one', async () => {
    const dlq = stack.host.deps.topology.relayDeadLetterQueue;
    expect((await channel.checkQueue(dlq)).messageCount).toBe(0);
    const bodies = Array.from({ length: 41 }, (_, i) => ticketBody(3000 + i, i === 20 ? { title: 'POISON RELAY' } : {}));
    const replies = await Promise.all(bodies.map((body) => postWebhook(stack.url, body)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const ids = replies.map((r) => r.json.id as number);
    const poison = ids[20];
    const good = ids.filter((id) => id !== poison);

    await waitUntil(async () => ((await channel.checkQueue(dlq)).messageCount >= 1 ? true : undefined), 30_000, 'the dead letter');
    await waitUntil(async () => ((await count('SELECT count(*) AS n FROM live_event WHERE webhook_id = ANY($1)', [good])) === 40 ? true : undefined), 10_000, '40 relayed');
    // Every live publish of the burst happens in the batches that committed before the dead letter.
    const published = live.messages.map((m) => Number(m.properties.messageId)).filter((id) => ids.includes(id));
    expect([...published].sort((a, b) => a - b)).toEqual(good);

    expect((await channel.checkQueue(dlq)).messageCount).toBe(1);
    const dead = await channel.get(dlq, { noAck: true });
    if (dead === false) throw new Error('dead-letter queue empty');
    expect((JSON.parse(dead.content.toString('utf8')) as { id: number }).id).toBe(poison);
    expect((await channel.checkQueue(stack.host.deps.topology.relayQueue)).messageCount).toBe(0);
    expect(await count('SELECT count(*) AS n FROM live_event WHERE webhook_id = $1', [poison])).toBe(0);
  });
});
