import * as amqp from 'amqplib';
import { captureExchange, liveEventsIn, type Capture } from '../../test/support/broker';
import { queryOnce } from '../../test/support/db';
import { TEST_RABBITMQ_URL } from '../../test/support/env';
import { startTestStack, type TestStack } from '../../test/support/host';
import { waitUntil } from '../../test/support/wait';
import { postWebhook, sample, ticketBody } from '../../test/support/webhooks';
import { declaredFunctions } from '../src';
import { deadLetterRecorderFunction } from '../src/functions/deadLetterRecorder';

let stack: TestStack;
let live: Capture;
let connection: amqp.ChannelModel;
let channel: amqp.Channel;

beforeAll(async () => {
  // These tests read petzi.relay.dlq itself: without the recorder, which would drain it (see operate.int.test.ts).
  stack = await startTestStack({
    functions: declaredFunctions().filter((fn) => fn.name !== deadLetterRecorderFunction.name),
  });
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

const count = async (sql: string, params: unknown[] = []) =>
  Number((await queryOnce<{ n: string }>(stack.db.url, sql, params))[0].n);
const liveFor = (id: number) => liveEventsIn(live.messages).filter((e) => e.id === id);

/** Stores a webhook as if it had come in (its body hash is a stand-in) and returns what its message carries. */
async function insertRaw(
  payload: unknown,
  event = 'ticket_created',
): Promise<{ id: number; receivedAt: string; bodySha256: string }> {
  const [row] = await queryOnce<{ id: string; received_at: Date; body_sha256: string }>(
    stack.db.url,
    `INSERT INTO webhook_event (event_type, body_sha256, signature_timestamp, payload, published_at)
     VALUES ($1, md5(random()::text) || md5(random()::text), now(), $2, now()) RETURNING id, received_at, body_sha256`,
    [event, JSON.stringify(payload)],
  );
  return { id: Number(row.id), receivedAt: row.received_at.toISOString(), bodySha256: row.body_sha256 };
}

function toRelayQueue(message: unknown): void {
  const content = Buffer.isBuffer(message) ? message : Buffer.from(JSON.stringify(message));
  channel.sendToQueue(stack.host.deps.topology.relayQueue, content, { persistent: true });
}

describe('relay', () => {
  it('projects a webhook and publishes the live event of the contract', async () => {
    const reply = await postWebhook(stack.url, sample('ticket_created.indented-ascii.json'));
    const id = reply.json.id as number;
    const [event] = await waitUntil(() => (liveFor(id).length > 0 ? liveFor(id) : undefined), 10_000, 'live event');
    expect(event).toEqual({
      id,
      seq: expect.any(Number),
      receivedAt: expect.any(String),
      relayedAt: expect.any(String),
      event: 'ticket_created',
      ticket: {
        number: 'XXXX2941J6SG',
        title: 'The Beautiful Leopards - Summer Tour',
        event: 'The Beautiful Leopards',
        eventId: 54694,
        category: 'Prévente',
        type: 'online_presale',
        price: { amount: '25.00', currency: 'CHF' },
        sessionDate: '2026-12-12',
        city: 'Neuchâtel',
        venue: 'Case à Chocs',
        cancellationReason: '',
        status: 'valid',
      },
    });
    const [ticket] = await queryOnce<{ status: string; webhook_id: string; price_amount: string }>(
      stack.db.url,
      'SELECT status, webhook_id, price_amount::text FROM ticket WHERE number = $1',
      ['XXXX2941J6SG'],
    );
    expect(ticket).toEqual({ status: 'valid', webhook_id: String(id), price_amount: '25.00' });
    const rows = await queryOnce<{ seq: string }>(stack.db.url, 'SELECT seq FROM live_event WHERE webhook_id = $1', [
      id,
    ]);
    expect(Number(rows[0].seq)).toBe(event.seq);

    const update = await postWebhook(stack.url, sample('ticket_updated.compact-utf8.json'));
    const [cancelled] = await waitUntil(
      () => (liveFor(update.json.id as number).length ? liveFor(update.json.id as number) : undefined),
      10_000,
      'update',
    );
    expect(cancelled.ticket).toMatchObject({ status: 'cancelled', cancellationReason: 'event_postponed' });
    expect(cancelled.seq).toBeGreaterThan(event.seq);
  });

  it('is idempotent: a redelivered message changes nothing and keeps its seq', async () => {
    const reply = await postWebhook(stack.url, ticketBody(1));
    const id = reply.json.id as number;
    const [first] = await waitUntil(() => (liveFor(id).length ? liveFor(id) : undefined), 10_000, 'first');
    const [stored] = await queryOnce<{ payload: unknown; received_at: Date; body_sha256: string }>(
      stack.db.url,
      'SELECT payload, received_at, body_sha256 FROM webhook_event WHERE id = $1',
      [id],
    );
    toRelayQueue({
      id,
      receivedAt: stored.received_at.toISOString(),
      event: 'ticket_created',
      bodySha256: stored.body_sha256,
      payload: stored.payload,
    });
    const events = await waitUntil(() => (liveFor(id).length >= 2 ? liveFor(id) : undefined), 10_000, 'redelivery');
    expect(events.map((e) => e.seq)).toEqual([first.seq, first.seq]);
    const rows = await queryOnce<{ n: string }>(
      stack.db.url,
      'SELECT count(*) AS n FROM live_event WHERE webhook_id = $1',
      [id],
    );
    expect(rows[0].n).toBe('1');
  });

  it('publishes live events in seq order even when webhooks arrive out of id order', async () => {
    const rows = [];
    for (let n = 0; n < 20; n += 1) {
      const payload = JSON.parse(ticketBody(100 + n)) as unknown;
      rows.push({ ...(await insertRaw(payload)), payload });
    }
    // Newest first, in one burst, so the relay batches them together: seq follows webhook id,
    // so publishing in arrival order would put seqs on petzi.live backwards.
    for (const row of [...rows].reverse())
      toRelayQueue({
        id: row.id,
        receivedAt: row.receivedAt,
        event: 'ticket_created',
        bodySha256: row.bodySha256,
        payload: row.payload,
      });
    const ids = new Set(rows.map((r) => r.id));
    const seqs = await waitUntil(
      () => {
        const seen = liveEventsIn(live.messages).filter((e) => ids.has(e.id));
        return seen.length >= rows.length ? seen.map((e) => e.seq) : undefined;
      },
      10_000,
      'all 20 live events',
    );
    expect(seqs).toHaveLength(20);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(20);
  });

  it('never lets an older webhook overwrite a newer one', async () => {
    const created = JSON.parse(ticketBody(2)) as { event: string; details: { ticket: Record<string, unknown> } };
    const cancelled = JSON.parse(ticketBody(2, { cancellationReason: 'stolen' })) as typeof created;
    cancelled.event = 'ticket_updated';
    const older = await insertRaw(created);
    const newer = await insertRaw(cancelled, 'ticket_updated');
    toRelayQueue({
      id: newer.id,
      receivedAt: newer.receivedAt,
      event: 'ticket_updated',
      bodySha256: newer.bodySha256,
      payload: cancelled,
    });
    await waitUntil(() => (liveFor(newer.id).length ? true : undefined), 10_000, 'newer');
    toRelayQueue({
      id: older.id,
      receivedAt: older.receivedAt,
      event: 'ticket_created',
      bodySha256: older.bodySha256,
      payload: created,
    });
    await waitUntil(() => (liveFor(older.id).length ? true : undefined), 10_000, 'older');
    const [ticket] = await queryOnce<{ status: string; webhook_id: string; first_seen_at: Date }>(
      stack.db.url,
      'SELECT status, webhook_id, first_seen_at FROM ticket WHERE number = $1',
      ['TEST00000002'],
    );
    expect(ticket.status).toBe('cancelled');
    expect(Number(ticket.webhook_id)).toBe(newer.id);
    expect(ticket.first_seen_at.toISOString()).toBe(older.receivedAt);
  });

  it.each([
    ['a non-JSON message', Buffer.from('not json at all')],
    [
      'an unknown event',
      {
        id: 999_999,
        receivedAt: new Date().toISOString(),
        event: 'ticket_scanned',
        payload: { event: 'ticket_scanned' },
      },
    ],
    ['a message without id', { event: 'ticket_created', payload: {} }],
  ])('dead-letters %s after the trigger retries, without looping', async (_name, message) => {
    const dlq = stack.host.deps.topology.relayDeadLetterQueue;
    const before = (await channel.checkQueue(dlq)).messageCount;
    toRelayQueue(message);
    await waitUntil(
      async () => ((await channel.checkQueue(dlq)).messageCount > before ? true : undefined),
      15_000,
      'dead letter',
    );
    const got = await channel.get(dlq, { noAck: true });
    if (got === false) throw new Error('dead-letter queue empty');
    expect(got.properties.headers?.['x-ms-rabbitmq-requeuecount']).toBe(4);
    expect(got.properties.headers?.['x-death']).toBeDefined();
    const relayQueue = await channel.checkQueue(stack.host.deps.topology.relayQueue);
    expect(relayQueue.messageCount).toBe(0);
  });
});

describe('the relay batch isolates its culprit', () => {
  it('relays 40 good webhooks once each and dead-letters only the poisonous one', async () => {
    // The schema refuses every natural case at the door: a CHECK constraint in this test's own
    // database makes one ticket fail in Postgres, as a value the schema missed would.
    await queryOnce(
      stack.db.url,
      "ALTER TABLE ticket ADD CONSTRAINT test_poison_relay CHECK (title <> 'POISON RELAY')",
    );
    const dlq = stack.host.deps.topology.relayDeadLetterQueue;
    expect((await channel.checkQueue(dlq)).messageCount).toBe(0);
    const bodies = Array.from({ length: 41 }, (_, i) =>
      ticketBody(3000 + i, i === 20 ? { title: 'POISON RELAY' } : {}),
    );
    const replies = await Promise.all(bodies.map((body) => postWebhook(stack.url, body)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const ids = replies.map((r) => r.json.id as number);
    const poison = ids[20];
    const good = ids.filter((id) => id !== poison).sort((a, b) => a - b);

    await waitUntil(
      async () => ((await channel.checkQueue(dlq)).messageCount >= 1 ? true : undefined),
      30_000,
      'the dead letter',
    );
    await waitUntil(
      async () =>
        (await count('SELECT count(*) AS n FROM live_event WHERE webhook_id = ANY($1)', [good])) === 40
          ? true
          : undefined,
      10_000,
      '40 relayed',
    );
    // Every live publish of the burst happens in the batches that committed before the dead letter.
    const published = liveEventsIn(live.messages)
      .map((e) => e.id)
      .filter((id) => ids.includes(id));
    expect([...published].sort((a, b) => a - b)).toEqual(good);

    expect((await channel.checkQueue(dlq)).messageCount).toBe(1);
    const dead = await channel.get(dlq, { noAck: true });
    if (dead === false) throw new Error('dead-letter queue empty');
    expect((JSON.parse(dead.content.toString('utf8')) as { id: number }).id).toBe(poison);
    expect((await channel.checkQueue(stack.host.deps.topology.relayQueue)).messageCount).toBe(0);
    expect(await count('SELECT count(*) AS n FROM live_event WHERE webhook_id = $1', [poison])).toBe(0);
  });
});
