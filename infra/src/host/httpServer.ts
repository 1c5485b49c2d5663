import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Deps } from '../../../functions/src/runtime/deps';
import type { HttpFunction } from '../../../functions/src/runtime/declaration';
import { ConfigError } from '../../../functions/src/config';
import { contextLog } from './contextLog';
import { errorMessage } from '../../../functions/src/storage/errors';
import { compileRoute } from './routes';

/** Limits on slow and idle clients. Only this local host applies them; the Azure host has its own. */
export interface HttpTimeouts {
  /** The whole request (headers and body) must arrive within this, else 408 and the socket is closed. */
  requestTimeoutMs: number;
  /** The headers must arrive within this (slowloris), else 408. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
}

export const HTTP_TIMEOUT_DEFAULTS: HttpTimeouts = { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000 };

/** Reads HTTP_REQUEST_TIMEOUT_MS, HTTP_HEADERS_TIMEOUT_MS and HTTP_KEEP_ALIVE_TIMEOUT_MS. */
export function httpTimeoutsFromEnv(env: Record<string, string | undefined>): HttpTimeouts {
  const read = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name} must be a positive integer (milliseconds), got "${raw}"`);
    return value;
  };
  const requestTimeoutMs = read('HTTP_REQUEST_TIMEOUT_MS', HTTP_TIMEOUT_DEFAULTS.requestTimeoutMs);
  const headersTimeoutMs = read('HTTP_HEADERS_TIMEOUT_MS', Math.min(HTTP_TIMEOUT_DEFAULTS.headersTimeoutMs, requestTimeoutMs));
  // node:http refuses a headers timeout longer than the whole-request timeout.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(`HTTP_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  }
  return { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs: read('HTTP_KEEP_ALIVE_TIMEOUT_MS', HTTP_TIMEOUT_DEFAULTS.keepAliveTimeoutMs) };
}

export interface HttpHostOptions extends Partial<HttpTimeouts> {
  /** Bodies are read up to this many bytes plus one, so the handler can tell "too large" without the rest being buffered. */
  maxBodyBytes: number;
  onError: (message: string) => void;
}

export interface HttpHost {
  server: http.Server;
  /** Stops accepting, lets in-flight requests finish, closes idle keep-alive sockets. */
  close(): Promise<void>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** What a client gets when node:http refuses its bytes before any handler runs. */
function clientErrorReply(code: string | undefined, timeouts: { requestTimeoutMs: number }): { status: number; error: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, error: 'Request headers too large' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, error: 'Chunk extensions too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, error: `Request not received in time: send it whole within ${timeouts.requestTimeoutMs} ms` };
    default:
      return { status: 400, error: 'Malformed HTTP request' };
  }
}

/** Reads at most `limit` bytes, unless the declared length already says the body is larger. */
function readBody(req: http.IncomingMessage, limit: number): Promise<{ body: Buffer; complete: boolean }> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit - 1) return Promise.resolve({ body: Buffer.alloc(0), complete: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        req.off('data', onData);
        req.pause();
        resolve({ body: Buffer.concat(chunks, size), complete: false });
      }
    };
    req.on('data', onData);
    req.once('end', () => resolve({ body: Buffer.concat(chunks, size), complete: true }));
    req.once('error', reject);
  });
}

function headersOf(req: http.IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function writeResponse(res: http.ServerResponse, result: HttpResponseInit | HttpResponse | undefined, extraHeaders: Record<string, string>): Promise<void> {
  // Plain init objects (what our handlers return) are written directly; anything else goes
  // through the library's HttpResponse so every body kind it supports works.
  if (result === undefined || (!(result instanceof HttpResponse) && (result.body === undefined || typeof result.body === 'string'))) {
    const init = (result ?? {}) as HttpResponseInit;
    const headers: Record<string, string> = { ...extraHeaders };
    for (const [k, v] of Object.entries((init.headers ?? {}) as Record<string, string>)) headers[k] = v;
    let payload = '';
    if (init.jsonBody !== undefined) {
      payload = JSON.stringify(init.jsonBody);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    } else if (typeof init.body === 'string') {
      payload = init.body;
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'text/plain; charset=utf-8';
    }
    headers['Content-Length'] = String(Buffer.byteLength(payload));
    res.writeHead(init.status ?? 200, headers);
    res.end(payload);
    return;
  }
  const response = result instanceof HttpResponse ? result : new HttpResponse(result);
  const bytes = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = { ...extraHeaders };
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  headers['content-length'] = String(bytes.length);
  res.writeHead(response.status, headers);
  res.end(bytes);
}

/** Serves declared http functions through the library's own HttpRequest and InvocationContext. */
export function createHttpHost(functions: HttpFunction[], deps: Deps, options: HttpHostOptions): HttpHost {
  const routes = functions.map((fn) => compileRoute(fn.route, { fn, handler: fn.handler(deps) }));
  let closing = false;

  const requestTimeoutMs = options.requestTimeoutMs ?? HTTP_TIMEOUT_DEFAULTS.requestTimeoutMs;
  const headersTimeoutMs = Math.min(options.headersTimeoutMs ?? HTTP_TIMEOUT_DEFAULTS.headersTimeoutMs, requestTimeoutMs);
  // node:http only enforces requestTimeout/headersTimeout when it sweeps its connections, every
  // 30 s by default: a trickling client could then hold a socket for up to twice the limit.
  const connectionsCheckingInterval = Math.max(50, Math.min(30_000, Math.floor(Math.min(requestTimeoutMs, headersTimeoutMs) / 4)));

  // The response (if any) a socket is currently serving: a protocol error may only be answered
  // on a socket whose in-flight response has not started, or the peer would read garbage.
  const responding = new WeakMap<Duplex, http.ServerResponse>();

  const server = http.createServer({ connectionsCheckingInterval }, (req, res) => {
    const socket = req.socket;
    responding.set(socket, res);
    res.once('close', () => {
      if (responding.get(socket) === res) responding.delete(socket);
    });
    const url = new URL(req.url ?? '/', 'http://localhost');
    let params: Record<string, string> | null = null;
    const route = routes.find((r) => (params = r.match(url.pathname)) !== null);
    const close: Record<string, string> = closing ? { Connection: 'close' } : {};
    if (!route || params === null) {
      req.resume();
      sendJson(res, 404, { error: `No function at ${url.pathname}` }, close);
      return;
    }
    const { fn, handler } = route.target;
    if (!fn.methods.includes((req.method ?? 'GET') as never)) {
      req.resume();
      sendJson(res, 405, { error: `Method ${req.method} not allowed`, allow: fn.methods }, { Allow: fn.methods.join(', '), ...close });
      return;
    }
    const routeParams: Record<string, string> = params;
    void (async () => {
      let read: { body: Buffer; complete: boolean };
      try {
        read = await readBody(req, options.maxBodyBytes + 1);
      } catch {
        // The client went away mid-body, or was cut off for sending too slowly (clientError has
        // answered it): its failure, not the function's, so nothing to log as an error.
        res.destroy();
        return;
      }
      const { body, complete } = read;
      try {
        const query: Record<string, string> = {};
        url.searchParams.forEach((value, key) => {
          if (!(key in query)) query[key] = value;
        });
        const request = new HttpRequest({
          method: req.method,
          url: `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
          headers: headersOf(req),
          query,
          params: routeParams,
          body: body.length > 0 ? { bytes: body } : undefined,
        });
        const context = new InvocationContext({
          invocationId: randomUUID(),
          functionName: fn.name,
          logHandler: contextLog(deps.log, fn.name),
          options: { trigger: { type: 'httpTrigger', name: 'request' } },
        });
        const result = await handler(request, context);
        // A body we stopped reading cannot be left on a keep-alive socket: close after replying.
        const extra = complete ? close : { Connection: 'close' };
        await writeResponse(res, result, extra);
        if (!complete) res.once('finish', () => req.socket.destroy());
      } catch (error) {
        options.onError(`function ${fn.name} failed: ${errorMessage(error)}`);
        if (!res.headersSent) sendJson(res, 500, { error: 'Internal error' }, { Connection: 'close' });
        else res.destroy();
      }
    })();
  });
  // node:http's own answer to malformed requests and timeouts is a bare status line; every
  // refusal from this host is a JSON error instead.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = responding.get(socket);
    if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
      const { status, error: message } = clientErrorReply(error.code, { requestTimeoutMs });
      const text = JSON.stringify({ error: message });
      socket.write(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
          `Cache-Control: no-store\r\nConnection: close\r\n\r\n${text}`,
      );
    }
    socket.destroy();
  });
  // Slow or idle clients must not hold sockets forever.
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = headersTimeoutMs;
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? HTTP_TIMEOUT_DEFAULTS.keepAliveTimeoutMs;

  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
