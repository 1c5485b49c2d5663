import { signPayload } from '../../functions/src';
import { queryOnce } from '../support/db';
import { TEST_SECRET } from '../support/env';
import { postWebhook, ticketBody } from '../support/webhooks';
import { parseResponses, slowClients, type RawConnection } from '../../tools/harness/rawHttp';
import { startTestStack, type TestStack } from '../support/host';

/**
 * Slow and idle clients against the functions host with short, configured limits. The limits
 * are bounds the host promises (a socket is given up on after them), not speed measurements:
 * the margins are wide enough for a loaded CI machine, and far below what the attacker asks for.
 */
const REQUEST_TIMEOUT_MS = 1500;
const HEADERS_TIMEOUT_MS = 1000;
const KEEP_ALIVE_TIMEOUT_MS = 500;
/** node:http sweeps connections at a quarter of the shortest limit; plus scheduling slack. */
const MARGIN_MS = 2000;

let stack: TestStack;
let port: number;
const clients = slowClients();
const logged: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    log: { info: () => undefined, warn: (m) => logged.push(`warn ${m}`), error: (m) => logged.push(`error ${m}`) },
    httpTimeouts: {
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
    },
  });
  port = stack.host.port;
});

afterEach(() => clients.cleanUp());

afterAll(async () => {
  await stack.stop();
});

const connect = (): Promise<RawConnection> => clients.connect(port);
const trickle = (connection: RawConnection, bytes: Buffer, everyMs: number) =>
  clients.trickle(connection, bytes, everyMs);

function requestHead(body: Buffer): string {
  return [
    'POST /webhook HTTP/1.1',
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${body.length}`,
    `Petzi-Signature: ${signPayload(TEST_SECRET, body, Math.floor(Date.now() / 1000))}`,
    '',
    '',
  ].join('\r\n');
}

const rowCount = async () =>
  Number((await queryOnce<{ n: string }>(stack.db.url, 'SELECT count(*) AS n FROM webhook_event'))[0].n);

describe('slow clients are cut off', () => {
  it('gives a body trickled byte by byte a 408 (or a closed socket) within the request timeout, serving others meanwhile', async () => {
    const body = Buffer.from(ticketBody(1));
    const slow = await connect();
    slow.write(requestHead(body));
    // At 50 ms a byte this body would take ~40 s to arrive.
    const sending = trickle(slow, body, 50);

    const others = await Promise.all(Array.from({ length: 20 }, (_, i) => postWebhook(stack.url, ticketBody(100 + i))));
    expect(others.map((r) => r.status)).toEqual(Array(20).fill(200));

    const { afterMs } = await slow.closed;
    const responses = parseResponses(slow.received());
    console.log(
      `trickled body: cut off after ${afterMs} ms, ${sending.written()} of ${body.length} body bytes sent, replies ${JSON.stringify(responses.map((r) => r.status))}`,
    );
    expect(afterMs).toBeLessThan(REQUEST_TIMEOUT_MS + MARGIN_MS);
    expect(sending.written()).toBeLessThan(body.length);
    // Either the host's 408 JSON error or nothing at all (just the close): never a 2xx or 5xx.
    expect(responses.length).toBeLessThanOrEqual(1);
    for (const r of responses) {
      expect(r.status).toBe(408);
      expect(JSON.parse(r.body)).toEqual({ error: expect.any(String) });
    }
    // The cut-off request stored nothing; the 20 others are stored.
    expect(await rowCount()).toBe(20);
  });

  it('cuts off headers trickled byte by byte (slowloris) within the headers timeout', async () => {
    const slow = await connect();
    const sending = trickle(slow, Buffer.from(requestHead(Buffer.from(ticketBody(2)))), 50);
    const ok = await postWebhook(stack.url, ticketBody(200));
    expect(ok.status).toBe(200);
    const { afterMs } = await slow.closed;
    const responses = parseResponses(slow.received());
    console.log(
      `trickled headers: cut off after ${afterMs} ms, ${sending.written()} header bytes sent, replies ${JSON.stringify(responses.map((r) => r.status))}`,
    );
    expect(afterMs).toBeLessThan(HEADERS_TIMEOUT_MS + MARGIN_MS);
    for (const r of responses) expect(r.status).toBe(408);
  });

  it('closes a connection that never sends a byte', async () => {
    const silent = await connect();
    const { afterMs } = await silent.closed;
    console.log(`silent connection closed after ${afterMs} ms`);
    expect(afterMs).toBeLessThan(HEADERS_TIMEOUT_MS + MARGIN_MS);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout, having served its request', async () => {
    const body = Buffer.from(ticketBody(3));
    const idle = await connect();
    idle.write(
      requestHead(body).replace('Host: 127.0.0.1', 'Host: 127.0.0.1\r\nConnection: keep-alive') + body.toString('utf8'),
    );
    const { afterMs } = await idle.closed;
    const responses = parseResponses(idle.received());
    console.log(
      `idle keep-alive connection closed after ${afterMs} ms, replies ${JSON.stringify(responses.map((r) => r.status))}`,
    );
    expect(responses.map((r) => r.status)).toEqual([200]);
    expect(responses[0].headers['keep-alive']).toMatch(/timeout=/);
    expect(afterMs).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS + MARGIN_MS);
  });

  it("logs no function failure for the clients it cut off (their fault, not the function's)", () => {
    expect(logged.filter((line) => line.startsWith('error'))).toEqual([]);
  });
});
