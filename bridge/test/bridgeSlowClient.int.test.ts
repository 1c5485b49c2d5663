import http from 'node:http';
import { openSse } from '../../test/support/sse';
import { metricValue, startBridgeFixture, type BridgeFixture } from './relayStandIn';

let fx: BridgeFixture;

beforeAll(async () => {
  fx = await startBridgeFixture({ BRIDGE_CLIENT_BUFFER_BYTES: String(64 * 1024) });
});

afterAll(async () => {
  await fx.close();
});

/** Connects and never reads: its socket stops draining once the kernel buffers are full. */
function openStalledClient(url: string): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, (response) => {
      response.pause();
      resolve(request);
    });
    request.on('error', () => undefined);
    request.once('response', () => undefined);
    setTimeout(() => reject(new Error('stalled client got no headers')), 5000).unref();
  });
}

test('a client that stops reading is dropped while a fast client keeps receiving everything', async () => {
  const stalled = await openStalledClient(`${fx.bridge.url}/events`);
  const fast = await openSse(`${fx.bridge.url}/events`);
  expect(await metricValue(fx.bridge.url, 'sse_clients_connected')).toBe(2);

  // Far more than the loopback socket buffers hold, so the stalled client must fall past its bound.
  const padding = 'x'.repeat(64 * 1024);
  const sent: number[] = [];
  for (let i = 0; i < 400; i += 1) sent.push((await fx.relay.relay({ padding })).id);

  await fast.waitFor(400, 30_000);
  expect(fast.events.map((e) => Number(e.id))).toEqual(sent);
  expect(await metricValue(fx.bridge.url, 'sse_clients_dropped_total', '{reason="slow"}')).toBe(1);
  expect(await metricValue(fx.bridge.url, 'sse_clients_connected')).toBe(1);

  stalled.destroy();
  await fast.close();
});
