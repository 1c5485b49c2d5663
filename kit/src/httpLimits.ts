import http from 'node:http';
import type { Duplex } from 'node:stream';
import { ConfigError, declareVariables, readEnv, type Env } from '../../functions/src';
import { sendJson } from './respond';

/**
 * Limits on slow and idle clients, the same for the functions host, the SSE bridge and the
 * dashboard server (the Azure host has its own). A finished request's response may last as long
 * as it likes: node:http stops timing a request once it has been received, so SSE streams are
 * never cut by these.
 */
export interface HttpTimeouts {
  /** The whole request (headers and body) must arrive within this, else 408 and the socket is closed. */
  requestTimeoutMs: number;
  /** The headers must arrive within this (slowloris), else 408. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
}

export const HTTP_TIMEOUT_DEFAULTS: HttpTimeouts = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
};

/** The same three for the functions host, the SSE bridge and the dashboard server. */
export const HTTP_TIMEOUT_VARIABLES = declareVariables({
  HTTP_REQUEST_TIMEOUT_MS: {
    kind: 'int',
    min: 1,
    unit: 'milliseconds',
    default: HTTP_TIMEOUT_DEFAULTS.requestTimeoutMs,
    meaning: 'a request (headers and body) must arrive within this, else 408 and the socket is closed',
  },
  HTTP_HEADERS_TIMEOUT_MS: {
    kind: 'int',
    min: 1,
    unit: 'milliseconds',
    meaning: 'its headers must arrive within this (slowloris), else 408; at most the request timeout',
    unset: `${HTTP_TIMEOUT_DEFAULTS.headersTimeoutMs}, or the request timeout when that is shorter`,
  },
  HTTP_KEEP_ALIVE_TIMEOUT_MS: {
    kind: 'int',
    min: 1,
    unit: 'milliseconds',
    default: HTTP_TIMEOUT_DEFAULTS.keepAliveTimeoutMs,
    meaning: 'an idle keep-alive connection is closed after this',
  },
});

/** Reads HTTP_REQUEST_TIMEOUT_MS, HTTP_HEADERS_TIMEOUT_MS and HTTP_KEEP_ALIVE_TIMEOUT_MS. */
export function httpTimeoutsFromEnv(env: Env): HttpTimeouts {
  const v = HTTP_TIMEOUT_VARIABLES;
  const requestTimeoutMs = readEnv.read(env, v.HTTP_REQUEST_TIMEOUT_MS);
  const headersTimeoutMs =
    readEnv.read(env, v.HTTP_HEADERS_TIMEOUT_MS) ?? Math.min(HTTP_TIMEOUT_DEFAULTS.headersTimeoutMs, requestTimeoutMs);
  // node:http refuses a headers timeout longer than the whole-request timeout.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      `HTTP_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
    );
  }
  return { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs: readEnv.read(env, v.HTTP_KEEP_ALIVE_TIMEOUT_MS) };
}

/**
 * The request head's bounds, in every process: more than 16 KiB of header lines (each counted as
 * `name: value` and its CRLF) or more than 100 header fields is a 431. node:http's own bound
 * (maxHeaderSize) counts only names and values, and past maxHeadersCount it drops fields silently,
 * so 2,000 short headers (22 KB on the wire) used to pass.
 */
export const MAX_HEADER_BYTES = 16 * 1024;
export const MAX_HEADER_COUNT = 100;

/** Why a request's head is over the bounds above, or undefined. */
export function headerExcess(rawHeaders: readonly string[]): string | undefined {
  if (rawHeaders.length / 2 > MAX_HEADER_COUNT) return `more than ${MAX_HEADER_COUNT} header fields`;
  let bytes = 0;
  for (let i = 0; i < rawHeaders.length; i += 2)
    bytes += Buffer.byteLength(rawHeaders[i], 'latin1') + Buffer.byteLength(rawHeaders[i + 1], 'latin1') + 4;
  return bytes > MAX_HEADER_BYTES ? `${bytes} bytes of header lines, more than ${MAX_HEADER_BYTES}` : undefined;
}

/** What a client gets when node:http refuses its bytes before any handler runs. */
function clientErrorReply(code: string | undefined, requestTimeoutMs: number): { status: number; error: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, error: 'Request headers too large' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, error: 'Chunk extensions too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, error: `Request not received in time: send it whole within ${requestTimeoutMs} ms` };
    default:
      return { status: 400, error: 'Malformed HTTP request' };
  }
}

/** A JSON error written straight on a socket that has no ServerResponse (protocol errors, CONNECT). */
function writeRawJson(socket: Duplex, status: number, error: string): void {
  const text = JSON.stringify({ error });
  socket.write(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
      `Cache-Control: no-store\r\nConnection: close\r\n\r\n${text}`,
  );
}

/**
 * A node:http server with the shared limits applied and every protocol-level refusal (malformed
 * request, headers too large, too slow) answered with a JSON error instead of node's bare status line.
 */
export function createLimitedServer(limits: Partial<HttpTimeouts>, listener: http.RequestListener): http.Server {
  const requestTimeoutMs = limits.requestTimeoutMs ?? HTTP_TIMEOUT_DEFAULTS.requestTimeoutMs;
  const headersTimeoutMs = Math.min(
    limits.headersTimeoutMs ?? HTTP_TIMEOUT_DEFAULTS.headersTimeoutMs,
    requestTimeoutMs,
  );
  // node:http only enforces requestTimeout/headersTimeout when it sweeps its connections, every
  // 30 s by default: a trickling client could then hold a socket for up to twice the limit.
  const connectionsCheckingInterval = Math.max(50, Math.min(30_000, Math.floor(headersTimeoutMs / 4)));

  // The last request a socket carried and its response. A protocol error may only be answered
  // on a socket that owes no reply in progress, and a request already answered (a refusal sent
  // before its slow body arrived) must not get a second, unsolicited reply.
  const last = new WeakMap<Duplex, { req: http.IncomingMessage; res: http.ServerResponse }>();
  // node:http's own refusals of a missing Host or an unknown Expect are bare status lines: these
  // are answered here instead, as JSON like every other refusal.
  const options = { connectionsCheckingInterval, requireHostHeader: false, maxHeaderSize: MAX_HEADER_BYTES };
  const server = http.createServer(options, (req, res) => {
    last.set(req.socket, { req, res });
    const excess = headerExcess(req.rawHeaders);
    if (excess !== undefined) {
      req.resume();
      sendJson(res, 431, { error: `Request headers too large: ${excess}` }, { Connection: 'close' });
      return;
    }
    if (req.httpVersion === '1.1' && req.headers.host === undefined) {
      req.resume();
      sendJson(res, 400, { error: 'Missing Host header (required in HTTP/1.1)' }, { Connection: 'close' });
      return;
    }
    listener(req, res);
  });
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    last.set(req.socket, { req, res });
    req.resume();
    sendJson(
      res,
      417,
      { error: `Expect: ${req.headers.expect} is not supported (only 100-continue)` },
      { Connection: 'close' },
    );
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const previous = last.get(socket);
    const owesNothing =
      !previous || !previous.res.headersSent || (previous.res.writableFinished && previous.req.complete);
    if (error.code !== 'ECONNRESET' && socket.writable && owesNothing) {
      const { status, error: message } = clientErrorReply(error.code, requestTimeoutMs);
      writeRawJson(socket, status, message);
    }
    socket.destroy();
  });
  // CONNECT (a tunnel) names no route of ours; without this node:http drops the socket unanswered.
  server.on('connect', (req: http.IncomingMessage, socket: Duplex) => {
    if (socket.writable) writeRawJson(socket, 405, `Method ${req.method} not allowed`);
    socket.destroy();
  });
  // One field past the count is kept, so that "too many" can be told from "exactly the limit".
  server.maxHeadersCount = MAX_HEADER_COUNT + 1;
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = headersTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs ?? HTTP_TIMEOUT_DEFAULTS.keepAliveTimeoutMs;
  return server;
}
