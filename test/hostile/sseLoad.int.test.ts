import http from 'node:http';
import { type RunningBridge } from '../../bridge/src/bridge';
import { queryOnce } from '../support/db';
import { startTestBridge, startTestStack, type TestStack } from '../support/host';
import { createSseParser } from '../../tools/harness/sse';
import { waitUntil } from '../support/wait';
import { postWebhook, ticketBody } from '../support/webhooks';

/**
 * 500 open event streams on a real bridge (same database and topology as the functions host)
 * must not starve webhook handling: while they are connected, every webhook still gets its 200
 * and is stored, and every stream still gets every event. Correctness, not speed.
 */
const STREAMS = 500;
const WEBHOOKS = 100;

let stack: TestStack;
let bridge: RunningBridge;
const streams: Stream[] = [];

interface Stream {
  status: number;
  ids: Set<number>;
  request: http.ClientRequest;
  ended: Promise<void>;
}

beforeAll(async () => {
  stack = await startTestStack();
  bridge = await startTestBridge(stack);
});

afterAll(async () => {
  for (const s of streams) s.request.destroy();
  await Promise.all(streams.map((s) => s.ended));
  await bridge?.stop();
  await stack.stop();
});

/** A bare event-stream client on its own socket; resolves once the response headers are in. */
function openStream(url: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, headers: { Accept: 'text/event-stream' } });
    let markEnded!: () => void;
    const ended = new Promise<void>((r) => (markEnded = r));
    request.on('close', () => markEnded());
    request.on('error', (error) => {
      markEnded();
      reject(error);
    });
    request.on('response', (response) => {
      const stream: Stream = { status: response.statusCode ?? 0, ids: new Set(), request, ended };
      const parser = createSseParser({ event: (e) => e.id !== undefined && stream.ids.add(Number(e.id)) });
      response.setEncoding('utf8');
      response.on('data', (text: string) => parser.push(text));
      response.on('error', () => undefined);
      resolve(stream);
    });
  });
}

async function connectedClients(): Promise<number> {
  const text = await (await fetch(`${bridge.url}/metrics`)).text();
  const match = /^sse_clients_connected (\d+)/m.exec(text);
  return match ? Number(match[1]) : -1;
}

it(`stores and acknowledges every webhook while ${STREAMS} event streams are open, and every stream gets every event`, async () => {
  for (let i = 0; i < STREAMS; i += 50) {
    streams.push(...(await Promise.all(Array.from({ length: 50 }, () => openStream(`${bridge.url}/events`)))));
  }
  expect(streams.filter((s) => s.status === 200)).toHaveLength(STREAMS);
  await waitUntil(
    async () => ((await connectedClients()) === STREAMS ? true : undefined),
    20_000,
    `${STREAMS} clients registered`,
  );

  const ids: number[] = [];
  const statuses: number[] = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < WEBHOOKS) {
        const n = next++;
        const reply = await postWebhook(stack.url, ticketBody(n));
        statuses.push(reply.status);
        if (reply.status === 200) ids.push(Number(reply.json.id));
      }
    }),
  );
  const ingestMs = Date.now() - started;
  expect(statuses).toEqual(Array(WEBHOOKS).fill(200));
  const rows = await queryOnce<{ n: string }>(stack.db.url, 'SELECT count(*) AS n FROM webhook_event');
  expect(Number(rows[0].n)).toBe(WEBHOOKS);
  expect(await connectedClients()).toBe(STREAMS);

  // Every stream, not just most of them, ends up with every acknowledged webhook.
  await waitUntil(
    () => (streams.every((s) => ids.every((id) => s.ids.has(id))) ? true : undefined),
    60_000,
    'every event on every stream',
  );
  console.log(
    `${WEBHOOKS} webhooks, all 200 and stored, in ${ingestMs} ms with ${STREAMS} streams open; delivered to all ${STREAMS} streams after ${Date.now() - started} ms`,
  );
});
