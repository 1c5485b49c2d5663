import { openSse, type SseConnection } from '../../test/support/sse';
import { metricValue, parsed, startBridgeFixture, type BridgeFixture, type RelayedEvent } from './relayStandIn';

let fx: BridgeFixture;
const open: SseConnection[] = [];

async function sse(path: string, lastEventId?: number | string): Promise<SseConnection> {
  const connection = await openSse(`${fx.bridge.url}${path}`, { lastEventId });
  open.push(connection);
  return connection;
}

async function relayMany(n: number): Promise<RelayedEvent[]> {
  const events: RelayedEvent[] = [];
  for (let i = 0; i < n; i += 1) events.push(await fx.relay.relay());
  return events;
}

const ids = (events: Array<{ id: string | undefined }>) => events.map((e) => Number(e.id));

beforeAll(async () => {
  fx = await startBridgeFixture();
});

// Each test starts with the bridge caught up, so a live client sees only that test's events.
beforeEach(async () => {
  await fx.settled();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await fx.close();
});

test('the stream has the SSE headers, no CORS header (CORS_ORIGINS is unset), a retry line, and ticket events with id = webhook id', async () => {
  const client = await sse('/events');
  expect(client.status).toBe(200);
  expect(client.headers.get('content-type')).toMatch(/^text\/event-stream/);
  expect(client.headers.get('cache-control')).toBe('no-cache');
  expect(client.headers.get('x-accel-buffering')).toBe('no');
  expect(client.headers.get('access-control-allow-origin')).toBeNull();
  // Delimited by the connection's end: no chunk framing around every frame.
  expect(client.headers.get('transfer-encoding')).toBeNull();
  expect(client.headers.get('connection')).toBe('close');
  const event = await fx.relay.relay();
  const [received] = await client.waitFor(1);
  expect(client.retry).toBe(2000);
  expect(received.event).toBe('ticket');
  expect(received.id).toBe(String(event.id));
  expect(parsed(received.data)).toEqual(event.body);
});

test('two concurrent clients each receive all N events, in order', async () => {
  const [a, b] = await Promise.all([sse('/events'), sse('/events')]);
  const sent = await relayMany(25);
  await Promise.all([a.waitFor(25), b.waitFor(25)]);
  expect(ids(a.events)).toEqual(sent.map((e) => e.id));
  expect(ids(b.events)).toEqual(sent.map((e) => e.id));
});

test('a client resuming with Last-Event-ID gets exactly the missed events, in order, then the live ones', async () => {
  const first = await sse('/events');
  const before = await relayMany(5);
  await first.waitFor(5);
  const lastSeen = first.events[4].id;
  await first.close();
  const missed = await relayMany(6);

  const resumed = await sse('/events', lastSeen);
  await resumed.waitFor(6);
  const live = await fx.relay.relay();
  await resumed.waitFor(7);
  expect(Number(lastSeen)).toBe(before[4].id);
  expect(ids(resumed.events)).toEqual([...missed, live].map((e) => e.id));
});

test('?lastEventId= resumes too, and the header wins over it (EventSource keeps the URL but sends the newer id)', async () => {
  const sent = await relayMany(4);
  const byQuery = await sse(`/events?lastEventId=${sent[1].id}`);
  const byHeader = await sse(`/events?lastEventId=${sent[0].id}`, sent[2].id);
  await Promise.all([byQuery.waitFor(2), byHeader.waitFor(1)]);
  const live = await fx.relay.relay();
  await Promise.all([byQuery.waitFor(3), byHeader.waitFor(2)]);
  expect(ids(byQuery.events)).toEqual([sent[2].id, sent[3].id, live.id]);
  expect(ids(byHeader.events)).toEqual([sent[3].id, live.id]);
});

test('resuming while events keep flowing leaves no gap and no duplicate', async () => {
  const start = await fx.relay.relay();
  const flowing = (async () => {
    const events: RelayedEvent[] = [];
    for (let i = 0; i < 40; i += 1) events.push(await fx.relay.relay());
    return events;
  })();
  const clients = [];
  for (let i = 0; i < 4; i += 1) clients.push(await sse('/events', start.id));
  const sent = await flowing;
  await Promise.all(clients.map((c) => c.waitFor(40)));
  for (const client of clients) expect(ids(client.events)).toEqual(sent.map((e) => e.id));
});

test('duplicate publishes of the same event are shown once', async () => {
  const client = await sse('/events');
  const event = await fx.relay.commit();
  for (let i = 0; i < 3; i += 1) await fx.relay.publish(event);
  const next = await fx.relay.relay();
  // A late repeat; the queue keeps publish order, so it is handled before `last`.
  await fx.relay.publish(event);
  const last = await fx.relay.relay();
  await client.waitFor(3);
  await fx.settled();
  expect(ids(client.events)).toEqual([event.id, next.id, last.id]);
});

test('a gap (seq 5 arrives before 4) is filled from Postgres in order, and the late 4 is not repeated', async () => {
  const client = await sse('/events');
  const fourth = await fx.relay.commit();
  const fifth = await fx.relay.commit();
  expect(fifth.seq).toBe(fourth.seq + 1);
  await fx.relay.publish(fifth);
  await client.waitFor(2);
  await fx.relay.publish(fourth);
  const after = await fx.relay.relay();
  await client.waitFor(3);
  expect(ids(client.events)).toEqual([fourth.id, fifth.id, after.id]);
  expect(client.events.map((e) => parsed(e.data).seq)).toEqual([fourth.seq, fifth.seq, after.seq]);
});

test('?history=N backfills the newest N events before the live stream', async () => {
  const sent = await relayMany(5);
  const client = await sse('/events?history=3');
  await client.waitFor(3);
  const live = await fx.relay.relay();
  await client.waitFor(4);
  expect(ids(client.events)).toEqual([...sent.slice(2), live].map((e) => e.id));
});

test('bad ?history and a malformed Last-Event-ID get a 400 JSON error', async () => {
  for (const path of ['/events?history=1001', '/events?history=-1', '/events?history=abc', '/events?lastEventId=x12']) {
    const response = await fetch(`${fx.bridge.url}${path}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ error: expect.stringMatching(/history|Last-Event-ID/) });
  }
});

test('an unknown Last-Event-ID starts live with a comment saying so', async () => {
  await fx.relay.relay();
  await fx.settled();
  const client = await sse('/events', 987654321);
  await client.waitForComment('unknown Last-Event-ID');
  const live = await fx.relay.relay();
  await client.waitFor(1);
  expect(ids(client.events)).toEqual([live.id]);
});

test('/healthz reports both dependencies; unknown paths and methods get JSON errors', async () => {
  const health = await fetch(`${fx.bridge.url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok', postgres: 'ok', rabbitmq: 'ok' });
  const missing = await fetch(`${fx.bridge.url}/nope`);
  expect(missing.status).toBe(404);
  expect(await missing.json()).toEqual({ error: expect.any(String) });
  const post = await fetch(`${fx.bridge.url}/events`, { method: 'POST' });
  expect(post.status).toBe(405);
  expect(await post.json()).toEqual({ error: expect.any(String) });
});

test('/metrics counts connected clients, events sent and replayed, and closed clients', async () => {
  const history = await relayMany(2);
  await fx.settled();
  const sentBefore = await metricValue(fx.bridge.url, 'sse_events_sent_total');
  const replayedBefore = await metricValue(fx.bridge.url, 'sse_events_replayed_total');
  const closedBefore = await metricValue(fx.bridge.url, 'sse_clients_dropped_total', '{reason="closed"}');
  const clients = [await sse('/events'), await sse('/events'), await sse(`/events?lastEventId=${history[0].id}`)];
  await clients[2].waitFor(1);
  expect(await metricValue(fx.bridge.url, 'sse_clients_connected')).toBe(3);
  await fx.relay.relay();
  await Promise.all(clients.map((c) => c.waitFor(c === clients[2] ? 2 : 1)));
  expect(await metricValue(fx.bridge.url, 'sse_events_sent_total')).toBe(sentBefore + 3);
  expect(await metricValue(fx.bridge.url, 'sse_events_replayed_total')).toBe(replayedBefore + 1);
  await clients[0].close();
  await waitUntil(async () => (await metricValue(fx.bridge.url, 'sse_clients_connected')) === 2);
  expect(await metricValue(fx.bridge.url, 'sse_clients_dropped_total', '{reason="closed"}')).toBe(closedBefore + 1);
  expect(await metricValue(fx.bridge.url, 'bridge_broker_reconnects_total')).toBe(0);
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
