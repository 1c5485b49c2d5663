import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDashboardServer, type RunningDashboardServer } from '../../dashboard/server/src/server';
import { startBridgeFixture, type BridgeFixture } from '../../bridge/test/relayStandIn';
import { openSse } from '../support/sse';
import { parseResponses, slowClients, type RawConnection } from '../../tools/harness/rawHttp';

/**
 * The SSE bridge and the dashboard server cut slow and idle clients off by the same limits as
 * the functions host (slowClients.int.test.ts), read from the same HTTP_*_TIMEOUT_MS variables, set
 * short here. The bounds are what the processes promise, with margins for a loaded machine; an
 * SSE stream, a response that never ends, must outlive them all.
 */
const REQUEST_TIMEOUT_MS = 1500;
const HEADERS_TIMEOUT_MS = 1000;
const KEEP_ALIVE_TIMEOUT_MS = 500;
const MARGIN_MS = 2000;
const ENV = {
  HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
};

let fx: BridgeFixture;
let dashboard: RunningDashboardServer;
let dist: string;
const doors: Record<string, () => number> = { bridge: () => fx.bridge.port, dashboard: () => dashboard.port };
const clients = slowClients();

beforeAll(async () => {
  fx = await startBridgeFixture(ENV);
  dist = await mkdtemp(path.join(os.tmpdir(), 'dashboard-dist-'));
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>app</title>');
  dashboard = await startDashboardServer({
    port: 0,
    hostname: '127.0.0.1',
    distDir: dist,
    functionsUrl: 'http://127.0.0.1:1',
    bridgeUrl: fx.bridge.url,
    httpTimeouts: {
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
    },
  });
});

afterEach(() => clients.cleanUp());

afterAll(async () => {
  await dashboard?.stop();
  await fx?.close();
  await rm(dist, { recursive: true, force: true });
});

const connect = (door: string): Promise<RawConnection> => clients.connect(doors[door]());
const trickle = (connection: RawConnection, bytes: string, everyMs: number) =>
  clients.trickle(connection, bytes, everyMs);

describe.each(Object.keys(doors))('%s', (door) => {
  it('answers headers trickled byte by byte (slowloris) with a 408 JSON error within the headers timeout', async () => {
    const slow = await connect(door);
    const sending = trickle(
      slow,
      'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n',
      50,
    );
    const { afterMs } = await slow.closed;
    const responses = parseResponses(slow.received());
    console.log(
      `${door}: trickled headers cut off after ${afterMs} ms, ${sending.written()} bytes sent, replies ${JSON.stringify(responses.map((r) => r.status))}`,
    );
    expect(afterMs).toBeLessThan(HEADERS_TIMEOUT_MS + MARGIN_MS);
    expect(responses.map((r) => r.status)).toEqual([408]);
    expect(JSON.parse(responses[0].body)).toEqual({ error: expect.any(String) });
  });

  it('closes a connection whose body trickles within the request timeout', async () => {
    const slow = await connect(door);
    slow.write(
      'POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
    );
    const sending = trickle(slow, '{"a":"'.padEnd(1000, 'x'), 50);
    const { afterMs } = await slow.closed;
    const responses = parseResponses(slow.received());
    console.log(
      `${door}: trickled body cut off after ${afterMs} ms, ${sending.written()} of 1000 bytes sent, replies ${JSON.stringify(responses.map((r) => r.status))}`,
    );
    expect(afterMs).toBeLessThan(REQUEST_TIMEOUT_MS + MARGIN_MS);
    expect(sending.written()).toBeLessThan(1000);
    // The method is refused (405) as soon as the headers are in; the slow body then gets no
    // second, unsolicited reply, only the closed socket.
    expect(responses.map((r) => r.status)).toEqual([405]);
    expect(JSON.parse(responses[0].body)).toEqual({ error: expect.any(String) });
  });

  it('closes a connection that never sends a byte', async () => {
    const { afterMs } = await (await connect(door)).closed;
    expect(afterMs).toBeLessThan(HEADERS_TIMEOUT_MS + MARGIN_MS);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout, having served its request', async () => {
    const idle = await connect(door);
    idle.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    const { afterMs } = await idle.closed;
    const responses = parseResponses(idle.received());
    expect(responses.map((r) => r.status)).toEqual([200]);
    expect(responses[0].headers['keep-alive']).toMatch(/timeout=/);
    expect(afterMs).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS + MARGIN_MS);
  });

  it('never cuts an SSE stream: it still delivers events after every limit has passed', async () => {
    const sse = await openSse(`http://127.0.0.1:${doors[door]()}/events`);
    expect(sse.status).toBe(200);
    await new Promise((r) => setTimeout(r, REQUEST_TIMEOUT_MS + MARGIN_MS));
    const { id } = await fx.relay.relay({ door });
    const [event] = await sse.waitFor(1, 10_000);
    expect(Number(event.id)).toBe(id);
    await sse.close();
  });
});
