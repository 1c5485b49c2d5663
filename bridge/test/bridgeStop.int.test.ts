import { openSse } from '../../test/support/sse';
import { startBridgeFixture, type BridgeFixture } from './relayStandIn';

let fx: BridgeFixture;

beforeAll(async () => {
  fx = await startBridgeFixture({ BRIDGE_HEARTBEAT_MS: '100' });
});

afterAll(async () => {
  await fx.close();
});

test('heartbeats flow, and a graceful stop sends every client a last comment and ends its stream', async () => {
  const clients = await Promise.all([openSse(`${fx.bridge.url}/events`), openSse(`${fx.bridge.url}/events`)]);
  await Promise.all(clients.map((c) => c.waitForComment('heartbeat')));
  const event = await fx.relay.relay();
  await Promise.all(clients.map((c) => c.waitFor(1)));

  await fx.bridge.stop();
  await Promise.all(clients.map((c) => c.ended));
  for (const client of clients) {
    expect(client.comments[client.comments.length - 1]).toBe('shutting down');
    expect(client.events.map((e) => Number(e.id))).toEqual([event.id]);
  }
  await expect(fetch(`${fx.bridge.url}/healthz`)).rejects.toThrow();
});
