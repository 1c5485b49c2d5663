import { openSse, type SseConnection } from '../../test/support/sse';
import { waitUntil } from '../../test/support/wait';
import { metricValue, startBridgeFixture, type BridgeFixture } from './relayStandIn';

/** BRIDGE_MAX_STREAMS and BRIDGE_MAX_STREAMS_PER_KEY: past either, GET /events is a 503 JSON error with Retry-After. */
let fx: BridgeFixture;
const open: SseConnection[] = [];

beforeAll(async () => {
  fx = await startBridgeFixture({
    PETZI_API_KEY: 'key-one,key-two',
    BRIDGE_MAX_STREAMS: '3',
    BRIDGE_MAX_STREAMS_PER_KEY: '2',
  });
});

afterAll(async () => {
  for (const stream of open) await stream.close();
  await fx.close();
});

async function stream(key: string, how: 'header' | 'query' = 'header'): Promise<SseConnection> {
  const url = how === 'query' ? `${fx.bridge.url}/events?code=${key}` : `${fx.bridge.url}/events`;
  const connection = await openSse(url, { headers: how === 'header' ? { 'x-functions-key': key } : {} });
  open.push(connection);
  return connection;
}

async function refusal(key: string): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
  const res = await fetch(`${fx.bridge.url}/events`, {
    headers: { 'x-functions-key': key, accept: 'text/event-stream' },
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

test('caps the streams of one key, then all streams, with a 503 that says which and when to retry; a closed stream frees its slot', async () => {
  // The header and ?code= are the same key: one count.
  expect((await stream('key-one')).status).toBe(200);
  expect((await stream('key-one', 'query')).status).toBe(200);
  expect(await refusal('key-one')).toEqual({
    status: 503,
    retryAfter: '5',
    body: {
      error: expect.stringMatching(/2 open streams for this key \(BRIDGE_MAX_STREAMS_PER_KEY\)/),
      limit: 'per_key',
      max: 2,
    },
  });
  expect((await stream('key-two')).status).toBe(200);
  expect(await refusal('key-two')).toEqual({
    status: 503,
    retryAfter: '5',
    body: { error: expect.stringMatching(/3 open streams \(BRIDGE_MAX_STREAMS\)/), limit: 'overall', max: 3 },
  });
  // A wrong key is still a 401, never a slot.
  expect((await fetch(`${fx.bridge.url}/events`, { headers: { 'x-functions-key': 'wrong' } })).status).toBe(401);
  expect(await metricValue(fx.bridge.url, 'sse_clients_refused_total', '{limit="per_key"}')).toBe(1);
  expect(await metricValue(fx.bridge.url, 'sse_clients_refused_total', '{limit="overall"}')).toBe(1);

  await open.shift()?.close();
  await waitUntil(
    async () => ((await metricValue(fx.bridge.url, 'sse_clients_connected')) === 2 ? true : undefined),
    5000,
    'the stream to close',
  );
  const again = await stream('key-one');
  expect(again.status).toBe(200);
  // And the streams that were let in still get every event.
  const event = await fx.relay.relay();
  for (const s of open) expect((await s.waitFor(1)).map((e) => Number(e.id))).toEqual([event.id]);
});
