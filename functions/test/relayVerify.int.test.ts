import * as amqp from 'amqplib';
import { createHash } from 'node:crypto';
import { captureExchange, liveEventsIn, type Capture } from '../../test/support/broker';
import { createMigratedDatabase, queryOnce, type MigratedDatabase } from '../../test/support/db';
import { TEST_RABBITMQ_URL } from '../../test/support/env';
import { startTestStack, type TestStack } from '../../test/support/host';
import { waitUntil } from '../../test/support/wait';
import { ticketBody } from '../../test/support/webhooks';
import type { DeadLetter, WebhookState } from '../src/operate/types';
import { encodeWebhookMessage } from '../src/protocol/webhookMessage';
import { relayBatch } from '../src/relay/projection';

/**
 * The relay relays a message only when a stored webhook backs it, with that id and that body hash,
 * and projects the stored payload, never the message's. A message published straight to
 * petzi.webhooks with the broker's guest login is refused, dead-lettered with its reason and
 * counted, and creates no ticket and no live event, while the genuine messages around it relay.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const UNKNOWN_ID = 987_654_321;
const ADMIN = 'verify-test-admin-77d1';

interface Stored {
  id: number;
  receivedAt: string;
  bodySha256: string;
  body: string;
}

/**
 * Stores a body as the door does (its sha256, Postgres parsing the text), marked published so the outbox leaves it
 * alone.
 */
async function store(url: string, body: string): Promise<Stored> {
  const [row] = await queryOnce<{ id: string; received_at: Date }>(
    url,
    `INSERT INTO webhook_event (event_type, body_sha256, signature_timestamp, payload, published_at)
     VALUES ($1::jsonb ->> 'event', $2, now(), $1::jsonb, now()) RETURNING id, received_at`,
    [body, sha256(body)],
  );
  return { id: Number(row.id), receivedAt: row.received_at.toISOString(), bodySha256: sha256(body), body };
}

/** A petzi.webhooks message as the pipeline encodes one, with whatever id, hash and payload it is given. */
const messageOf = (m: { id: number; receivedAt: string; bodySha256: string; body: string }) =>
  encodeWebhookMessage({
    id: m.id,
    receivedAt: m.receivedAt,
    event: 'ticket_created',
    bodySha256: m.bodySha256,
    payloadJson: m.body,
  });

describe('relay_batch', () => {
  let m: MigratedDatabase;
  beforeAll(async () => (m = await createMigratedDatabase()));
  afterAll(() => m.close());

  it('refuses the unbacked messages of a batch, dead-letters them, and relays the rest of it', async () => {
    const [a, b] = [await store(m.db.url, ticketBody(1)), await store(m.db.url, ticketBody(2))];
    const forged = ticketBody(1, { title: 'Forged', cancellationReason: 'stolen' });
    const verdicts = await relayBatch(
      m.pool,
      [
        { id: a.id, bodySha256: a.bodySha256 },
        { id: UNKNOWN_ID, bodySha256: sha256(ticketBody(3)) },
        { id: a.id, bodySha256: sha256(forged) },
        { id: b.id, bodySha256: 'not a hash' },
        { id: b.id, bodySha256: b.bodySha256 },
      ],
      new Date(),
    );
    expect([...verdicts.relayed.keys()].sort()).toEqual([a.id, b.id].sort());
    expect([...verdicts.relayed.values()].every((r) => r.fresh)).toBe(true);
    expect(Object.fromEntries(verdicts.refused)).toEqual({
      [`${UNKNOWN_ID} ${sha256(ticketBody(3))}`]: 'unknown_webhook',
      [`${a.id} ${sha256(forged)}`]: 'body_mismatch',
      [`${b.id} not a hash`]: 'body_mismatch',
    });
    const tickets = await queryOnce<{ number: string; title: string; status: string }>(
      m.db.url,
      'SELECT number, title, status FROM ticket ORDER BY number',
    );
    expect(tickets).toEqual([
      { number: 'TEST00000001', title: 'Test Night', status: 'valid' },
      { number: 'TEST00000002', title: 'Test Night', status: 'valid' },
    ]);
    const dead = await queryOnce<{ webhook_id: string; kind: string; reason: string; tries: number }>(
      m.db.url,
      'SELECT webhook_id, kind, reason, tries FROM dead_letter ORDER BY id',
    );
    expect(dead).toEqual([
      {
        webhook_id: String(a.id),
        kind: 'unverified',
        reason: `not relayed: the message's body (sha256 ${sha256(forged)}) is not the one stored for webhook ${a.id}`,
        tries: 1,
      },
      {
        webhook_id: String(b.id),
        kind: 'unverified',
        reason: `not relayed: the message's body (sha256 malformed) is not the one stored for webhook ${b.id}`,
        tries: 1,
      },
      {
        webhook_id: String(UNKNOWN_ID),
        kind: 'unverified',
        reason: `not relayed: no stored webhook has id ${UNKNOWN_ID}`,
        tries: 1,
      },
    ]);
    expect(
      await queryOnce(m.db.url, 'SELECT webhook_id FROM live_event WHERE webhook_id NOT IN ($1, $2)', [a.id, b.id]),
    ).toEqual([]);
  });

  it('counts the same message refused again on its waiting dead letter', async () => {
    const claim = { id: UNKNOWN_ID, bodySha256: sha256(ticketBody(3)) };
    await relayBatch(m.pool, [claim], new Date());
    const dead = await queryOnce<{ tries: number }>(m.db.url, 'SELECT tries FROM dead_letter WHERE webhook_id = $1', [
      UNKNOWN_ID,
    ]);
    expect(dead).toEqual([{ tries: 2 }]);
  });

  it('refuses, without a dead letter, a backed message whose webhook is no ticket event', async () => {
    const other = await store(
      m.db.url,
      JSON.stringify({ event: 'ticket_scanned', details: { ticket: { number: 'X' } } }),
    );
    const verdicts = await relayBatch(m.pool, [{ id: other.id, bodySha256: other.bodySha256 }], new Date());
    expect(Object.fromEntries(verdicts.refused)).toEqual({ [`${other.id} ${other.bodySha256}`]: 'not_a_ticket' });
    expect(await queryOnce(m.db.url, 'SELECT id FROM dead_letter WHERE webhook_id = $1', [other.id])).toEqual([]);
  });
});

describe('the relay, fed forged messages on petzi.webhooks with the guest login', () => {
  let stack: TestStack;
  let live: Capture;
  let connection: amqp.ChannelModel;
  let channel: amqp.ConfirmChannel;

  beforeAll(async () => {
    stack = await startTestStack({ env: { PETZI_ADMIN_KEY: ADMIN } });
    live = await captureExchange(stack.host.deps.topology.liveExchange, '');
    // TEST_RABBITMQ_URL logs in as guest: anyone on the broker's host can publish so.
    connection = await amqp.connect(TEST_RABBITMQ_URL);
    channel = await connection.createConfirmChannel();
  });

  afterAll(async () => {
    await channel?.close();
    await connection?.close();
    await live?.close();
    await stack?.stop();
  });

  const metric = async (name: string, labels: Record<string, string>) =>
    (await stack.host.deps.registry.getSingleMetric(name)?.get())?.values.find((v) =>
      Object.entries(labels).every(([k, l]) => v.labels[k] === l),
    )?.value ?? 0;
  const getJson = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${stack.url}${path}`);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  const liveIds = () => new Set(liveEventsIn(live.messages).map((e) => e.id));

  /** Publishes every message in one go, as the outbox would, and waits for the broker's confirms. */
  async function publishBurst(messages: Buffer[]): Promise<void> {
    for (const content of messages)
      channel.publish(stack.host.deps.topology.webhookExchange, 'ticket_created', content, {
        persistent: true,
        contentType: 'application/json',
      });
    await channel.waitForConfirms();
  }

  it('refuses an unknown id, another body, and projects the stored body when the hash is copied; the genuine messages relay', async () => {
    const url = stack.db.url;
    const genuine = [];
    for (let i = 0; i < 6; i += 1) genuine.push(await store(url, ticketBody(7000 + i)));
    const [victim, copied] = genuine;
    const forgedUnknown = ticketBody(7999, { title: 'Forged' });
    const forgedBody = ticketBody(7000, { title: 'Forged', cancellationReason: 'stolen' });
    const forgedCopy = ticketBody(7001, { title: 'Forged', cancellationReason: 'stolen' });
    const before = {
      unknown: await metric('relay_unverified_messages_total', { reason: 'unknown_webhook' }),
      mismatch: await metric('relay_unverified_messages_total', { reason: 'body_mismatch' }),
    };

    await publishBurst([
      ...genuine.slice(2, 4).map(messageOf),
      messageOf({
        id: UNKNOWN_ID,
        receivedAt: victim.receivedAt,
        bodySha256: sha256(forgedUnknown),
        body: forgedUnknown,
      }),
      messageOf({ ...victim, bodySha256: sha256(forgedBody), body: forgedBody }),
      // The genuine hash, copied from a message seen on the broker, with another payload.
      messageOf({ ...copied, body: forgedCopy }),
      ...genuine.slice(4).map(messageOf),
    ]);

    const relayed = [copied, ...genuine.slice(2)].map((g) => g.id);
    await waitUntil(
      () => (relayed.every((id) => liveIds().has(id)) ? true : undefined),
      10_000,
      'the genuine live events',
    );
    await waitUntil(
      async () => ((await metric('relay_messages_total', { outcome: 'unverified' })) >= 2 ? true : undefined),
      10_000,
      'two refusals',
    );

    // No ticket but the genuine ones, each with the stored body's state, the copied hash's included.
    const tickets = await queryOnce<{ number: string; title: string; status: string }>(
      url,
      "SELECT number, title, status FROM ticket WHERE number LIKE 'TEST0000700%' OR number = 'TEST00007999' ORDER BY number",
    );
    expect(tickets).toEqual(
      ['TEST00007001', 'TEST00007002', 'TEST00007003', 'TEST00007004', 'TEST00007005'].map((number) => ({
        number,
        title: 'Test Night',
        status: 'valid',
      })),
    );
    // No live event for the refused ones; every live event of the burst shows a stored state.
    expect(liveIds().has(UNKNOWN_ID)).toBe(false);
    expect(liveIds().has(victim.id)).toBe(false);
    const events = liveEventsIn(live.messages).filter((e) => relayed.includes(e.id));
    expect(events.map((e) => e.ticket.title)).toEqual(events.map(() => 'Test Night'));

    // Dead-lettered with the reason, in the dead-letters API, and counted.
    const { items } = await getJson<{ items: DeadLetter[] }>('/api/dead-letters?state=waiting');
    const refused = items
      .filter((d) => [UNKNOWN_ID, victim.id].includes(d.webhookId))
      .sort((x, y) => x.webhookId - y.webhookId);
    expect(refused.map((d) => ({ webhookId: d.webhookId, ticketNumber: d.ticketNumber, reason: d.reason }))).toEqual([
      {
        webhookId: victim.id,
        ticketNumber: null,
        reason: `not relayed: the message's body (sha256 ${sha256(forgedBody)}) is not the one stored for webhook ${victim.id}`,
      },
      { webhookId: UNKNOWN_ID, ticketNumber: null, reason: `not relayed: no stored webhook has id ${UNKNOWN_ID}` },
    ]);
    expect(await metric('relay_unverified_messages_total', { reason: 'unknown_webhook' })).toBe(before.unknown + 1);
    expect(await metric('relay_unverified_messages_total', { reason: 'body_mismatch' })).toBe(before.mismatch + 1);
    const scrape = await (await fetch(`${stack.url}/metrics`)).text();
    expect(scrape).toMatch(/^relay_unverified_messages_total\{reason="unknown_webhook"\} \d+$/m);
    expect(scrape).toMatch(/^relay_dead_letters_waiting\{reason="unverified"\} 2$/m);

    // Acknowledged, not retried: nothing left on the relay queue or its dead-letter queue.
    const inspect = await connection.createChannel();
    try {
      expect((await inspect.checkQueue(stack.host.deps.topology.relayQueue)).messageCount).toBe(0);
      expect((await inspect.checkQueue(stack.host.deps.topology.relayDeadLetterQueue)).messageCount).toBe(0);
    } finally {
      await inspect.close();
    }
    // The forged copy says nothing about the webhook whose id it took.
    const state = await getJson<{ webhook: WebhookState }>(`/api/webhooks/${victim.id}`);
    expect(state.webhook.relay).toMatchObject({ state: 'published', deadLetter: null });
  });

  it('redrives an unverified dead letter by marking it: nothing is published for it', async () => {
    const { items } = await getJson<{ items: DeadLetter[] }>('/api/dead-letters?state=waiting');
    const unknown = items.find((d) => d.webhookId === UNKNOWN_ID);
    if (!unknown) throw new Error('no dead letter for the unknown id');
    const before = liveEventsIn(live.messages).length;
    const response = await fetch(`${stack.url}/api/dead-letters/redrive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-functions-key': ADMIN },
      body: JSON.stringify({ ids: [unknown.id] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ redriven: 1, ids: [unknown.id] });
    await new Promise((r) => setTimeout(r, 300));
    expect(liveEventsIn(live.messages).length).toBe(before);
    const after = await getJson<{ items: DeadLetter[] }>('/api/dead-letters?state=all');
    expect(after.items.find((d) => d.id === unknown.id)?.redrivenAt).not.toBeNull();
  });
});
