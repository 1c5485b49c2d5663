import type { IncomingMessage } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { signPayload } from '../../functions/src';
import { startDashboardServer, type RunningDashboardServer } from '../../dashboard/server/src/server';
import { firstResponse, parseRequests, type RawRequest } from '../../tools/harness/rawHttp';
import { queryOnce } from '../support/db';
import { TEST_SECRET } from '../support/env';
import { startTestStack, type TestStack } from '../support/host';
import { startTcpProxy, type TcpProxy } from '../../tools/harness/tcpProxy';
import { ticketBody } from '../support/webhooks';

/**
 * Request smuggling through the dashboard server, on raw sockets: every framing a client can try
 * (chunked, Content-Length, both, obfuscated Transfer-Encoding), on GET, HEAD, DELETE and the one
 * proxied POST, each body carrying whole second requests (a signed POST /webhook, GET /api/health,
 * the admin-only erasure and replay), each case followed by ordinary requests that reuse the
 * server's pooled keep-alive sockets to the real functions host. What reached the host is read
 * three ways: every byte on its connections (a recording TCP proxy in front of it, parsed
 * strictly), every request its HTTP server parsed (its access log), and its delivery log and
 * webhook store in Postgres. Nothing but the expected requests, each with exactly the headers the
 * proxy chose, may be there.
 */
const API_KEY = 'framing-fn-key-5c1e';
const ADMIN_KEY = 'framing-admin-key-77d0';

let stack: TestStack;
let recorder: TcpProxy;
let dashboard: RunningDashboardServer;
let dist: string;
const accessLog: Array<{ method: string; url: string; headerNames: string[] }> = [];

const signedWebhook = (): string => {
  const body = ticketBody(4242);
  const signature = signPayload(TEST_SECRET, Buffer.from(body), Math.floor(Date.now() / 1000));
  return `POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nPetzi-Signature: ${signature}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};

/** Whole requests a body may smuggle; the last one is left open, for the next request on the socket to complete. */
const smuggled = (): string =>
  `${signedWebhook()}GET /api/health HTTP/1.1\r\nHost: x\r\n\r\nPOST /api/replay HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}` +
  `DELETE /api/tickets/TEST00004242/buyer HTTP/1.1\r\nHost: x\r\nX-Swallow-Next: `;

const chunked = (body: string): string => `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;

interface Case {
  name: string;
  method: 'GET' | 'HEAD' | 'DELETE' | 'POST';
  /** Framing header lines, raw, as the client writes them. */
  framing: string[];
  body: string;
  /** What the dashboard server answers. */
  status: number;
  /** Passed on to the host as one clean request (only the POST's well-framed JSON). */
  forwarded?: boolean;
}

const TARGETS = {
  GET: '/api/stats',
  HEAD: '/api/stats',
  DELETE: '/api/tickets/TEST00004242',
  POST: '/api/dead-letters/redrive',
} as const;
/** A redrive of an id with no dead letter: the host parses it and answers 404, which shows it arrived whole. */
const JSON_BODY = '{"ids":[987654]}';
const REDRIVE_REACHED = 404;

function cases(): Case[] {
  const body = smuggled();
  const all: Case[] = [];
  for (const method of ['GET', 'HEAD', 'DELETE'] as const) {
    // A read route refuses any body (400); DELETE is no method of the route (405, its body read and dropped).
    const bodyStatus = method === 'DELETE' ? 405 : 400;
    all.push(
      { name: 'chunked', method, framing: ['Transfer-Encoding: chunked'], body: chunked(body), status: bodyStatus },
      {
        name: 'Content-Length',
        method,
        framing: [`Content-Length: ${Buffer.byteLength(body)}`],
        body,
        status: bodyStatus,
      },
    );
  }
  for (const method of ['GET', 'HEAD', 'DELETE', 'POST'] as const) {
    const payload = method === 'POST' ? `${JSON_BODY}${body}` : body;
    all.push(
      {
        name: 'Content-Length and chunked',
        method,
        framing: [`Content-Length: ${Buffer.byteLength(payload)}`, 'Transfer-Encoding: chunked'],
        body: chunked(payload),
        status: 400,
      },
      {
        name: 'chunked and Content-Length',
        method,
        framing: ['Transfer-Encoding: chunked', 'Content-Length: 4'],
        body: chunked(payload),
        status: 400,
      },
      {
        name: 'Transfer-Encoding: xchunked',
        method,
        framing: ['Transfer-Encoding: xchunked'],
        body: chunked(payload),
        status: 400,
      },
      {
        name: 'Transfer-Encoding : chunked (space before the colon)',
        method,
        framing: ['Transfer-Encoding : chunked'],
        body: chunked(payload),
        status: 400,
      },
      {
        name: 'Transfer-Encoding: chunked, then identity',
        method,
        framing: ['Transfer-Encoding: chunked', 'Transfer-Encoding: identity'],
        body: chunked(payload),
        status: 400,
      },
      {
        name: 'Transfer-Encoding: gzip, chunked',
        method,
        framing: ['Transfer-Encoding: gzip, chunked'],
        body: chunked(payload),
        status: 400,
      },
      {
        name: 'Transfer-Encoding: chunked, chunked',
        method,
        framing: ['Transfer-Encoding: chunked, chunked'],
        body: chunked(payload),
        status: 400,
      },
      {
        name: 'Transfer-Encoding folded onto the next line',
        method,
        framing: ['Transfer-Encoding:', ' chunked'],
        body: chunked(payload),
        status: 400,
      },
      {
        name: 'Transfer-Encoding with a vertical tab',
        method,
        framing: ['Transfer-Encoding:\x0bchunked'],
        body: chunked(payload),
        status: 400,
      },
      {
        name: 'Content-Length twice, different',
        method,
        framing: ['Content-Length: 4', `Content-Length: ${Buffer.byteLength(payload)}`],
        body: payload,
        status: 400,
      },
    );
  }
  // The one proxied POST: chunked or Content-Length, read whole and checked here, then sent on as
  // exactly its JSON with a Content-Length of the proxy's own; bytes after a chunked body's end
  // are the client's next request to this server, never the host's.
  all.push(
    {
      name: 'chunked JSON',
      method: 'POST',
      framing: ['Transfer-Encoding: chunked', 'Content-Type: application/json'],
      body: chunked(JSON_BODY),
      status: REDRIVE_REACHED,
      forwarded: true,
    },
    {
      name: 'Content-Length JSON',
      method: 'POST',
      framing: [`Content-Length: ${JSON_BODY.length}`, 'Content-Type: application/json'],
      body: JSON_BODY,
      status: REDRIVE_REACHED,
      forwarded: true,
    },
    {
      name: 'Content-Length covering JSON and a smuggled request',
      method: 'POST',
      framing: [`Content-Length: ${Buffer.byteLength(JSON_BODY + body)}`, 'Content-Type: application/json'],
      body: JSON_BODY + body,
      status: 400,
    },
    {
      name: 'chunked JSON, smuggled requests after its end',
      method: 'POST',
      framing: ['Transfer-Encoding: chunked', 'Content-Type: application/json'],
      body: chunked(JSON_BODY) + body,
      status: REDRIVE_REACHED,
      forwarded: true,
    },
  );
  return all;
}

const ORIGIN = (): string => `http://127.0.0.1:${dashboard.port}`;

function requestBytes(c: Case): Buffer {
  const extra = c.method === 'POST' ? [`Origin: ${ORIGIN()}`] : [];
  const head = [
    `${c.method} ${TARGETS[c.method]} HTTP/1.1`,
    `Host: 127.0.0.1:${dashboard.port}`,
    'Accept: application/json',
    'User-Agent: seams-test',
    'Cookie: petzi_session=x',
    'Expect: 100-continue',
    ...extra,
    ...c.framing,
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${c.body}`, 'utf8');
}

/** An ordinary read through the dashboard, on a fresh client connection: it goes up on a pooled socket. */
async function ordinaryRead(): Promise<number | undefined> {
  const reply = await firstResponse(
    dashboard.port,
    Buffer.from(
      `GET /api/stats HTTP/1.1\r\nHost: localhost:${dashboard.port}\r\nAccept: application/json\r\nUser-Agent: seams-test\r\nConnection: close\r\n\r\n`,
    ),
  );
  return reply?.status;
}

/** An ordinary redrive: what a smuggled prefix would most like to complete (it carries the admin key upstream). */
async function ordinaryRedrive(): Promise<number | undefined> {
  const reply = await firstResponse(
    dashboard.port,
    Buffer.from(
      `POST /api/dead-letters/redrive HTTP/1.1\r\nHost: 127.0.0.1:${dashboard.port}\r\nOrigin: ${ORIGIN()}\r\nAccept: application/json\r\n` +
        `User-Agent: seams-test\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${JSON_BODY.length}\r\nConnection: close\r\n\r\n${JSON_BODY}`,
    ),
  );
  return reply?.status;
}

beforeAll(async () => {
  stack = await startTestStack({ env: { PETZI_API_KEY: API_KEY, PETZI_ADMIN_KEY: ADMIN_KEY } });
  stack.host.server.on('request', (req: IncomingMessage) => {
    const headerNames = req.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    accessLog.push({ method: req.method ?? '', url: req.url ?? '', headerNames });
  });
  recorder = await startTcpProxy('127.0.0.1', stack.host.port, { record: true });
  dist = await mkdtemp(path.join(os.tmpdir(), 'dashboard-dist-'));
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>app</title>');
  dashboard = await startDashboardServer({
    port: 0,
    distDir: dist,
    functionsUrl: `http://127.0.0.1:${recorder.port}`,
    bridgeUrl: 'http://127.0.0.1:1',
    apiKey: API_KEY,
    adminKey: ADMIN_KEY,
    log: () => undefined,
  });
});

afterAll(async () => {
  await dashboard?.stop();
  await recorder?.close();
  await stack?.stop();
  if (dist) await rm(dist, { recursive: true, force: true });
});

const READ_HEADERS = [
  'accept',
  'connection',
  'host',
  'user-agent',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-functions-key',
];

describe('the dashboard server never forwards framing it did not check', () => {
  it('answers every hostile framing itself, forwards only the well-framed POST as one clean request, and nothing smuggled reaches the host', async () => {
    const all = cases();
    const answers: Array<{ name: string; method: string; status: number | undefined }> = [];
    let expectedReads = 0;
    let expectedPosts = 0;
    for (const c of all) {
      const reply = await firstResponse(dashboard.port, requestBytes(c));
      answers.push({ name: c.name, method: c.method, status: reply?.status });
      if (c.forwarded) expectedPosts += 1;
      // Ordinary requests right after, on the pooled upstream sockets the hostile bytes would have poisoned.
      expect(await ordinaryRead()).toBe(200);
      expect(await ordinaryRedrive()).toBe(REDRIVE_REACHED);
      expectedReads += 1;
      expectedPosts += 1;
    }
    expect(answers).toEqual(all.map((c) => ({ name: c.name, method: c.method, status: c.status })));

    // The bytes on the host's connections: nothing but whole, Content-Length-framed requests.
    const connections = recorder.sent();
    const onWire: RawRequest[] = connections.flatMap((bytes) => parseRequests(bytes));
    // Pooled: far fewer connections than requests, so later requests rode sockets earlier ones used.
    expect(connections.length).toBeLessThanOrEqual(4);
    expect(onWire.map((r) => `${r.method} ${r.target}`).sort()).toEqual(
      [
        ...Array<string>(expectedReads).fill('GET /api/stats'),
        ...Array<string>(expectedPosts).fill('POST /api/dead-letters/redrive'),
      ].sort(),
    );
    for (const request of onWire) {
      const expected =
        request.method === 'GET' ? READ_HEADERS : [...READ_HEADERS, 'content-length', 'content-type'].sort();
      expect({ request: `${request.method} ${request.target}`, names: [...request.headerNames].sort() }).toEqual({
        request: `${request.method} ${request.target}`,
        names: expected,
      });
      expect(request.headers['x-functions-key']).toBe(request.method === 'GET' ? API_KEY : ADMIN_KEY);
      expect(request.body.toString('latin1')).toBe(request.method === 'GET' ? '' : JSON_BODY);
    }

    // The host's own view: exactly the same requests, and nothing stored or logged as a delivery.
    expect(accessLog.map((r) => `${r.method} ${r.url}`).sort()).toEqual(
      onWire.map((r) => `${r.method} ${r.target}`).sort(),
    );
    const [{ attempts }] = await queryOnce<{ attempts: string }>(
      stack.db.url,
      'SELECT count(*) AS attempts FROM delivery_attempt',
    );
    const [{ stored }] = await queryOnce<{ stored: string }>(
      stack.db.url,
      'SELECT count(*) AS stored FROM webhook_event',
    );
    expect({ attempts: Number(attempts), stored: Number(stored) }).toEqual({ attempts: 0, stored: 0 });
  }, 120_000);

  it('passes a GET with Content-Length: 0 on without it, and a HEAD as a HEAD the host answers', async () => {
    const before = accessLog.length;
    for (const method of ['GET', 'HEAD']) {
      const reply = await firstResponse(
        dashboard.port,
        Buffer.from(
          `${method} /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        ),
      );
      expect(reply?.status).toBe(200);
    }
    expect(accessLog.slice(before).map((r) => [r.method, r.url, r.headerNames.includes('content-length')])).toEqual([
      ['GET', '/api/stats', false],
      ['HEAD', '/api/stats', false],
    ]);
  });
});
