import * as amqp from 'amqplib';
import { createHash } from 'node:crypto';
import { startBridge, type RunningBridge } from '../../bridge/src/bridge';
import { loadBridgeConfig } from '../../bridge/src/config';
import { captureExchange, liveEventsIn, type Capture } from '../../test/support/broker';
import { queryOnce } from '../../test/support/db';
import { TEST_RABBITMQ_URL } from '../../test/support/env';
import { startTestStack, type TestStack } from '../../test/support/host';
import { openSse, type SseConnection } from '../../test/support/sse';
import { waitUntil } from '../../test/support/wait';
import { postWebhook, ticketBody } from '../../test/support/webhooks';
import type { DeadLetter, Delivery, WebhookState } from '../src/operate/types';

/**
 * Issue 17 on the real Postgres and RabbitMQ: the delivery log, dead letters recorded from
 * petzi.relay.dlq, redrive, replay under live traffic, and every new door with malformed input.
 */
const KEY = 'ops-test-key-4f1c';
const ADMIN = 'ops-test-admin-9b2e';

let stack: TestStack;
let live: Capture;
let connection: amqp.ChannelModel;
let channel: amqp.Channel;

beforeAll(async () => {
  stack = await startTestStack({ env: { PETZI_API_KEY: KEY, PETZI_ADMIN_KEY: ADMIN, MAX_BODY_BYTES: '8192' } });
  live = await captureExchange(stack.host.deps.topology.liveExchange, '');
  connection = await amqp.connect(TEST_RABBITMQ_URL);
  channel = await connection.createChannel();
});

afterAll(async () => {
  await channel?.close();
  await connection?.close();
  await live?.close();
  await stack?.stop();
});

const get = (path: string, key: string | null = KEY) =>
  fetch(`${stack.url}${path}`, { headers: key ? { 'x-functions-key': key } : {} });
const post = (path: string, body: unknown, key: string | null = ADMIN) =>
  fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(key ? { 'x-functions-key': key } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const getJson = async <T>(path: string): Promise<T> => {
  const response = await get(path);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
};
const count = async (sql: string, params: unknown[] = []) =>
  Number((await queryOnce<{ n: string }>(stack.db.url, sql, params))[0].n);
const liveFor = (id: number) => liveEventsIn(live.messages).filter((e) => e.id === id);
const metricValue = async (name: string, labels: Record<string, string> = {}) => {
  const metric = await stack.host.deps.registry.getSingleMetric(name)?.get();
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
};

describe('the delivery log', () => {
  it('keeps one record per /webhook request, refusals with their reason and without their body', async () => {
    const body = ticketBody(1);
    const stored = await postWebhook(stack.url, body, { headers: { 'X-Forwarded-For': '203.0.113.7' } });
    expect(stored.status).toBe(200);
    expect((await postWebhook(stack.url, body)).status).toBe(200);
    expect((await postWebhook(stack.url, ticketBody(2), { secret: 'wrong' })).status).toBe(401);
    expect((await postWebhook(stack.url, '{"event": "ticket_created",')).status).toBe(400);
    expect((await postWebhook(stack.url, 'x'.repeat(9000))).status).toBe(413);

    const { items } = await waitUntil(
      async () => {
        const page = await getJson<{ items: Delivery[] }>('/api/deliveries');
        return page.items.length >= 5 ? page : undefined;
      },
      10_000,
      'five delivery records',
    );
    expect(items.map((d) => [d.outcome, d.status])).toEqual([
      ['payload_too_large', 413],
      ['invalid_json', 400],
      ['signature_mismatch', 401],
      ['duplicate', 200],
      ['stored', 200],
    ]);
    const [tooLarge, badJson, badSignature, duplicate, first] = items;
    const sha = createHash('sha256').update(body).digest('hex');
    expect(first).toEqual({
      id: expect.any(Number),
      receivedAt: expect.any(String),
      outcome: 'stored',
      status: 200,
      bodyBytes: Buffer.byteLength(body),
      bodySha256: sha,
      signatureTimestamp: expect.any(String),
      webhookId: stored.json.id,
      sourceAddress: expect.stringMatching(/^203\.0\.113\.7, (::ffff:)?127\.0\.0\.1$/),
    });
    expect(duplicate).toMatchObject({ bodySha256: sha, webhookId: stored.json.id });
    expect(badSignature).toMatchObject({
      webhookId: null,
      signatureTimestamp: null,
      bodySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(badJson.signatureTimestamp).not.toBeNull();
    expect(tooLarge).toMatchObject({ bodyBytes: 9000, bodySha256: null });
    // Refused bodies are nowhere: only the stored webhook has a row with its content.
    expect(await count('SELECT count(*) AS n FROM webhook_event')).toBe(1);
    expect(await metricValue('webhook_attempts_total', { outcome: 'signature_mismatch' })).toBe(1);
  });

  it('filters by outcome, status and time, and pages with a cursor without overlap', async () => {
    const dup = await getJson<{ items: Delivery[] }>('/api/deliveries?outcome=duplicate');
    expect(dup.items.map((d) => d.outcome)).toEqual(['duplicate']);
    const ok = await getJson<{ items: Delivery[] }>('/api/deliveries?status=200');
    expect(ok.items.map((d) => d.outcome)).toEqual(['duplicate', 'stored']);
    const future = await getJson<{ items: Delivery[] }>(
      `/api/deliveries?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`,
    );
    expect(future.items).toEqual([]);
    const first = await getJson<{ items: Delivery[]; nextCursor: string | null }>('/api/deliveries?limit=3');
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    const second = await getJson<{ items: Delivery[]; nextCursor: string | null }>(
      `/api/deliveries?limit=3&cursor=${first.nextCursor}`,
    );
    expect(second.items).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items].map((d) => d.id);
    expect(new Set(ids).size).toBe(5);
  });

  it('is pruned after ATTEMPT_RETENTION_DAYS by the timer function', async () => {
    const { attemptRetentionFunction } = await import('../src/functions/attemptRetention');
    const { InvocationContext } = await import('@azure/functions');
    await queryOnce(
      stack.db.url,
      `UPDATE delivery_attempt SET received_at = now() - interval '15 days' WHERE outcome = 'payload_too_large'`,
    );
    await attemptRetentionFunction.handler(stack.host.deps)(
      { isPastDue: false, scheduleStatus: undefined } as never,
      new InvocationContext({ logHandler: () => undefined }),
    );
    expect(await count(`SELECT count(*) AS n FROM delivery_attempt WHERE outcome = 'payload_too_large'`)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM delivery_attempt')).toBe(4);
  });
});

describe('a poison message', () => {
  it('is dead-lettered with its reason, fails again with a new one, then is fixed, redriven and relayed exactly once', async () => {
    // A constraint in this test's database makes one ticket fail in Postgres, as a relay bug would.
    await queryOnce(stack.db.url, "ALTER TABLE ticket ADD CONSTRAINT test_poison_ops CHECK (title <> 'POISON OPS')");
    const reply = await postWebhook(stack.url, ticketBody(100, { title: 'POISON OPS' }));
    expect(reply.status).toBe(200);
    const webhookId = reply.json.id as number;

    const firstList = await waitUntil(
      async () => {
        const page = await getJson<{ items: DeadLetter[]; waiting: number }>('/api/dead-letters');
        return page.waiting === 1 ? page : undefined;
      },
      30_000,
      'the dead letter recorded',
    );
    const [dead] = firstList.items;
    expect(dead).toEqual({
      id: expect.any(Number),
      webhookId,
      ticketNumber: 'TEST00000100',
      reason: expect.stringContaining('test_poison_ops'),
      tries: 5,
      deadLetteredAt: expect.any(String),
      redrivenAt: null,
    });
    // The recorder drained petzi.relay.dlq: Postgres is the list.
    expect((await channel.checkQueue(stack.host.deps.topology.relayDeadLetterQueue)).messageCount).toBe(0);
    const state = await getJson<{ webhook: WebhookState }>(`/api/webhooks/${webhookId}`);
    expect(state.webhook).toMatchObject({
      id: webhookId,
      event: 'ticket_created',
      ticketNumber: 'TEST00000100',
      publishedAt: expect.any(String),
    });
    expect(state.webhook.relay).toEqual({ state: 'dead-lettered', seq: null, relayedAt: null, deadLetter: dead });
    expect(await metricValue('relay_dead_letters_waiting', { reason: 'unstorable' })).toBe(1);

    // Redriven before the fix: it comes back, with the new reason.
    await queryOnce(
      stack.db.url,
      "ALTER TABLE ticket DROP CONSTRAINT test_poison_ops, ADD CONSTRAINT test_poison_ops_again CHECK (title <> 'POISON OPS')",
    );
    const again = await post('/api/dead-letters/redrive', { ids: [dead.id] });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ redriven: 1, ids: [dead.id] });
    const back = await waitUntil(
      async () => {
        const page = await getJson<{ items: DeadLetter[]; waiting: number }>('/api/dead-letters');
        return page.waiting === 1 && page.items[0].id !== dead.id ? page.items[0] : undefined;
      },
      30_000,
      'the dead letter back',
    );
    expect(back).toMatchObject({
      webhookId,
      reason: expect.stringContaining('test_poison_ops_again'),
      tries: 5,
      redrivenAt: null,
    });
    const all = await getJson<{ items: DeadLetter[] }>('/api/dead-letters?state=all');
    expect(all.items.map((d) => [d.id, d.redrivenAt === null])).toEqual([
      [back.id, true],
      [dead.id, false],
    ]);

    // Fixed, then redriven: relayed once.
    await queryOnce(stack.db.url, 'ALTER TABLE ticket DROP CONSTRAINT test_poison_ops_again');
    const fixed = await post('/api/dead-letters/redrive', { all: true });
    expect(await fixed.json()).toEqual({ redriven: 1, ids: [back.id] });
    const relayed = await waitUntil(
      async () => {
        const { webhook } = await getJson<{ webhook: WebhookState }>(`/api/webhooks/${webhookId}`);
        return webhook.relay.state === 'relayed' ? webhook : undefined;
      },
      15_000,
      'relayed',
    );
    expect(relayed.relay).toMatchObject({
      seq: expect.any(Number),
      relayedAt: expect.any(String),
      deadLetter: { id: back.id, redrivenAt: expect.any(String) },
    });
    await waitUntil(() => (liveFor(webhookId).length > 0 ? true : undefined), 10_000, 'the live event');
    expect(await count('SELECT count(*) AS n FROM live_event WHERE webhook_id = $1', [webhookId])).toBe(1);
    expect(await count("SELECT count(*) AS n FROM ticket WHERE number = 'TEST00000100'")).toBe(1);
    expect(liveFor(webhookId)).toHaveLength(1);
    expect((await getJson<{ waiting: number }>('/api/dead-letters')).waiting).toBe(0);
    expect(await metricValue('relay_redriven_total')).toBe(2);
    // A redrive with nothing waiting redrives nothing.
    expect(await (await post('/api/dead-letters/redrive', { all: true })).json()).toEqual({ redriven: 0, ids: [] });
  });
});

describe('every new door refuses malformed input', () => {
  it.each([
    ['/api/deliveries?limit=0', 'limit'],
    ['/api/deliveries?limit=501', 'limit'],
    ['/api/deliveries?status=abc', 'status'],
    ['/api/deliveries?status=99', 'status'],
    ['/api/deliveries?from=yesterday', 'from'],
    ['/api/deliveries?from=2026-11-30T10:00:00Z&to=2026-11-30T09:00:00Z', 'to'],
    ['/api/deliveries?outcome=DROP%20TABLE', 'outcome'],
    ['/api/deliveries?cursor=!!!', 'cursor'],
    [`/api/deliveries?cursor=${Buffer.from('["dead-letters",5]').toString('base64url')}`, 'cursor'],
    ['/api/deliveries?bogus=1', 'bogus'],
    ['/api/webhooks/abc', 'id'],
    ['/api/webhooks/0', 'id'],
    ['/api/webhooks/99999999999999999999', 'id'],
    ['/api/webhooks/1?x=1', 'x'],
    ['/api/dead-letters?state=lost', 'state'],
    ['/api/dead-letters?limit=-1', 'limit'],
    [`/api/dead-letters?cursor=${Buffer.from('["deliveries",5]').toString('base64url')}`, 'cursor'],
  ])('GET %s is a 400 naming %s', async (path, param) => {
    const response = await get(path);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: expect.any(String), param });
  });

  it.each([
    ['/api/dead-letters/redrive', 'not json', 'body'],
    ['/api/dead-letters/redrive', '[1]', 'body'],
    ['/api/dead-letters/redrive', {}, 'ids'],
    ['/api/dead-letters/redrive', { ids: [] }, 'ids'],
    ['/api/dead-letters/redrive', { ids: [1.5] }, 'ids'],
    ['/api/dead-letters/redrive', { ids: ['1'] }, 'ids'],
    ['/api/dead-letters/redrive', { all: false }, 'all'],
    ['/api/dead-letters/redrive', { all: true, ids: [1] }, 'ids'],
    ['/api/dead-letters/redrive', { every: true }, 'every'],
    ['/api/replay', 'nope', 'body'],
    ['/api/replay', { fromId: -1 }, 'fromId'],
    ['/api/replay', { fromId: 5, toId: 2 }, 'toId'],
    ['/api/replay', { from: 'monday' }, 'from'],
    ['/api/replay', { from: '2026-11-30T10:00:00Z', to: '2026-11-30T10:00:00Z' }, 'to'],
    ['/api/replay', { rebuild: 'yes' }, 'rebuild'],
    ['/api/replay', { since: 1 }, 'since'],
  ])('POST %s %j is a 400 naming %s', async (path, body, param) => {
    const response = await post(path, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: expect.any(String), param });
  });

  it('answers 404 for an unknown webhook or dead letter, redriving nothing', async () => {
    const webhook = await get('/api/webhooks/987654');
    expect(webhook.status).toBe(404);
    expect(await webhook.json()).toEqual({ error: 'No webhook 987654' });
    const redrive = await post('/api/dead-letters/redrive', { ids: [987654, 987655] });
    expect(redrive.status).toBe(404);
    expect(await redrive.json()).toMatchObject({ error: expect.any(String), ids: [987654, 987655] });
  });

  it('asks the API key to read and the admin key to redrive or replay', async () => {
    for (const path of ['/api/deliveries', '/api/dead-letters', '/api/webhooks/1']) {
      expect((await get(path, null)).status).toBe(401);
      expect((await get(path, 'wrong')).status).toBe(401);
      expect((await get(path, ADMIN)).status).not.toBe(401);
    }
    for (const path of ['/api/dead-letters/redrive', '/api/replay']) {
      expect((await post(path, { all: true }, null)).status).toBe(401);
      // The read key is not enough to change state.
      expect((await post(path, { all: true }, KEY)).status).toBe(401);
    }
    expect((await get('/api/replay')).status).toBe(405);
  });
});

describe('replay', () => {
  let bridge: RunningBridge;
  const clients: SseConnection[] = [];

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await bridge?.stop();
  });

  it('re-publishes 1,000 webhooks while live traffic flows, and every SSE client sees each ticket once', async () => {
    const post1000 = async (from: number, n: number, concurrency: number) => {
      const ids: number[] = [];
      for (let i = 0; i < n; i += concurrency) {
        const replies = await Promise.all(
          Array.from({ length: Math.min(concurrency, n - i) }, (_, j) =>
            postWebhook(stack.url, ticketBody(from + i + j)),
          ),
        );
        for (const r of replies) {
          expect(r.status).toBe(200);
          ids.push(r.json.id as number);
        }
      }
      return ids;
    };
    const old = await post1000(10_000, 1_000, 50);
    await waitUntil(
      async () =>
        (await count('SELECT count(*) AS n FROM live_event WHERE webhook_id = ANY($1)', [old])) === 1_000
          ? true
          : undefined,
      60_000,
      '1,000 relayed',
    );

    const config = loadBridgeConfig({
      DATABASE_URL: stack.db.url,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      PETZI_TOPOLOGY_PREFIX: stack.prefix,
      PETZI_API_KEY: KEY,
    });
    bridge = await startBridge({
      config,
      port: 0,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      processMetrics: false,
    });
    for (let i = 0; i < 3; i += 1) {
      const client = await openSse(`${bridge.url}/events`, { headers: { 'x-functions-key': KEY } });
      expect(client.status).toBe(200);
      clients.push(client);
    }
    const redeliveredBefore = await metricValue('relay_messages_total', { outcome: 'redelivered' });

    const [fresh, replayReply] = await Promise.all([
      post1000(20_000, 200, 10),
      post('/api/replay', { fromId: Math.min(...old), toId: Math.max(...old) }),
    ]);
    expect(replayReply.status).toBe(200);
    expect(await replayReply.json()).toEqual({ replayed: 1_000, rebuilt: false });

    await waitUntil(
      async () =>
        (await metricValue('relay_messages_total', { outcome: 'redelivered' })) - redeliveredBefore >= 1_000
          ? true
          : undefined,
      60_000,
      'the replay relayed',
    );
    await waitUntil(
      async () =>
        (await count('SELECT count(*) AS n FROM live_event WHERE webhook_id = ANY($1)', [fresh])) === 200
          ? true
          : undefined,
      30_000,
      'the live traffic relayed',
    );
    const maxSeq = await count('SELECT max(seq) AS n FROM live_event');
    await waitUntil(() => (bridge.lastSeq === maxSeq ? true : undefined), 15_000, 'the bridge caught up');
    await bridge.idle();
    for (const client of clients) {
      await client.waitFor(200, 15_000);
      const ids = client.events.map((e) => Number(e.id));
      // Each ticket once: no replayed ticket shown again, every live one shown.
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort((a, b) => a - b)).toEqual([...fresh].sort((a, b) => a - b));
    }
    expect(await metricValue('relay_replayed_total')).toBe(1_000);
    expect(await count('SELECT count(*) AS n FROM live_event WHERE webhook_id = ANY($1)', [old])).toBe(1_000);
  });

  it('with rebuild, recomputes the ticket projection from webhook_event to the same state', async () => {
    const before = await queryOnce<{ number: string; status: string; webhook_id: string }>(
      stack.db.url,
      'SELECT number, status, webhook_id FROM ticket ORDER BY number',
    );
    await queryOnce(stack.db.url, "UPDATE ticket SET status = 'cancelled' WHERE number = 'TEST00010001'");
    const reply = await post('/api/replay', { from: new Date(Date.now() + 3_600_000).toISOString(), rebuild: true });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ replayed: 0, rebuilt: true });
    const after = await queryOnce<{ number: string; status: string; webhook_id: string }>(
      stack.db.url,
      'SELECT number, status, webhook_id FROM ticket ORDER BY number',
    );
    expect(after).toEqual(before);
  });
});
