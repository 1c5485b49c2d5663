import { silentLogger } from '../../functions/src';
import { startTestStack, type TestStack } from '../../test/support/host';
import { openSse } from '../../test/support/sse';
import { postWebhook, ticketBody } from '../../test/support/webhooks';
import { TEST_RABBITMQ_URL } from '../../test/support/env';
import { startBridge, type RunningBridge } from '../src/bridge';
import { loadBridgeConfig } from '../src/config';
import { parsed } from './relayStandIn';

let stack: TestStack;
let bridge: RunningBridge;

beforeAll(async () => {
  stack = await startTestStack();
  const config = loadBridgeConfig({
    DATABASE_URL: stack.db.url,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    BRIDGE_TOPOLOGY_PREFIX: stack.prefix,
  });
  bridge = await startBridge({ config, port: 0, hostname: '127.0.0.1', log: silentLogger, processMetrics: false });
});

afterAll(async () => {
  await bridge.stop();
  await stack.stop();
});

test('POST /webhook reaches every SSE client as a ticket event, and a late client resumes from Postgres', async () => {
  const clients = [await openSse(`${bridge.url}/events`), await openSse(`${bridge.url}/events`)];
  const ids: number[] = [];
  for (let n = 1; n <= 3; n += 1) {
    const reply = await postWebhook(stack.url, ticketBody(n));
    expect(reply.status).toBe(200);
    ids.push(Number(reply.json.id));
  }
  await Promise.all(clients.map((c) => c.waitFor(3, 20_000)));
  for (const client of clients) {
    expect(client.events.map((e) => Number(e.id))).toEqual(ids);
    expect(client.events.map((e) => e.event)).toEqual(['ticket', 'ticket', 'ticket']);
    expect(client.events.map((e) => (parsed(e.data).ticket as { number: string }).number)).toEqual([
      'TEST00000001',
      'TEST00000002',
      'TEST00000003',
    ]);
  }
  const late = await openSse(`${bridge.url}/events`, { lastEventId: ids[0] });
  await late.waitFor(2);
  expect(late.events.map((e) => Number(e.id))).toEqual(ids.slice(1));
  await Promise.all([...clients, late].map((c) => c.close()));
});
