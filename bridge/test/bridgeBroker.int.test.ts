import {
  TEST_RABBITMQ_MANAGEMENT_AUTH as AUTH,
  TEST_RABBITMQ_MANAGEMENT_URL as MANAGEMENT,
} from '../../test/support/env';
import { openSse } from '../../test/support/sse';
import { metricValue, startBridgeFixture, type BridgeFixture } from './relayStandIn';

let fx: BridgeFixture;

beforeAll(async () => {
  fx = await startBridgeFixture();
});

afterAll(async () => {
  await fx.close();
});

async function management(path: string, method = 'GET'): Promise<unknown> {
  const response = await fetch(`${MANAGEMENT}/api${path}`, { method, headers: { Authorization: AUTH } });
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
  return method === 'GET' ? response.json() : undefined;
}

/**
 * The name of the AMQP connection consuming the bridge's queue (the management API lists consumers with their
 * connection).
 */
async function connectionConsuming(queue: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const consumers = (await management('/consumers')) as Array<{
      queue?: { name?: string };
      channel_details?: { connection_name?: unknown };
    }>;
    // Channel details fill in a little after the consumer is listed.
    const name = consumers.find((c) => c.queue?.name === queue)?.channel_details?.connection_name;
    if (typeof name === 'string') return name;
    if (Date.now() > deadline) throw new Error(`no consumer on ${queue} in the management API`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('after its broker connection is closed, the bridge reconnects, replays what it missed from Postgres and goes on live', async () => {
  const client = await openSse(`${fx.bridge.url}/events`);
  const before = await fx.relay.relay();
  await client.waitFor(1);

  // Committed but never seen on the bridge's queue: exactly what happens to events published
  // while its exclusive queue is gone. Only the replay after the reconnect can deliver them.
  const missed = [await fx.relay.commit(), await fx.relay.commit(), await fx.relay.commit()];
  const oldQueue = fx.bridge.liveQueue;
  expect(oldQueue).toBeDefined();
  const name = await connectionConsuming(oldQueue ?? '');
  await management(`/connections/${encodeURIComponent(name)}`, 'DELETE');
  // Published right after the cut, most likely while the bridge has no queue.
  const meanwhile = [await fx.relay.relay(), await fx.relay.relay()];

  await until(async () => (await metricValue(fx.bridge.url, 'bridge_broker_reconnects_total')) === 1, 'the reconnect');
  await client.waitFor(6);
  expect(fx.bridge.liveQueue).toBeDefined();
  expect(fx.bridge.liveQueue).not.toBe(oldQueue);

  const after = await fx.relay.relay();
  // A publish of an old event (a relay retry) after the replay must not show twice.
  await fx.relay.publish(missed[1]);
  await client.waitFor(7);
  await fx.bridge.idle();
  expect(client.events.map((e) => Number(e.id))).toEqual([before, ...missed, ...meanwhile, after].map((e) => e.id));

  const health = await fetch(`${fx.bridge.url}/healthz`);
  expect(health.status).toBe(200);
  await client.close();
});
