import http, {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { errorMessage, KEY_HEADER } from '../../../functions/src';
import { sendJson } from '../../../kit/src';

/** Headers that describe one hop, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Connection errors can be AggregateErrors with an empty message (IPv4 and IPv6 both tried). */
function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = errorMessage(error);
  return message || code || 'connection failed';
}

function headerSafe(value: string): boolean {
  try {
    http.validateHeaderValue('last-event-id', value);
    return true;
  } catch {
    return false;
  }
}

/** Where a proxied request goes, and the key the dashboard server adds for it (browsers never hold one). */
export interface Upstream {
  url: URL;
  agent: http.Agent;
  apiKey?: string;
}

/**
 * The only headers of the browser's that travel on (as node:http parsed them). Everything else
 * upstream is set here: no framing, cookie, key, Expect or Upgrade of the client's ever leaves.
 */
const FROM_BROWSER = ['accept', 'user-agent'] as const;

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/** The request headers the upstream gets: the few of the browser's above, and the proxy's own. */
function upstreamOptions(
  req: IncomingMessage,
  upstream: Upstream,
  pathAndQuery: string,
): http.RequestOptions & { headers: OutgoingHttpHeaders } {
  const { url: target, agent } = upstream;
  const headers: OutgoingHttpHeaders = {};
  for (const name of FROM_BROWSER) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  if (upstream.apiKey !== undefined) headers[KEY_HEADER] = upstream.apiKey;
  headers.host = target.host;
  const remote = req.socket.remoteAddress;
  if (remote)
    headers['x-forwarded-for'] = req.headers['x-forwarded-for']
      ? `${String(req.headers['x-forwarded-for'])}, ${remote}`
      : remote;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-forwarded-proto'] = 'http';
  const base = target.pathname.replace(/\/$/, '');
  return {
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    method: req.method,
    path: `${base}${pathAndQuery}`,
    headers,
    agent,
  };
}

/**
 * A plain request/response pass-through. `body`: the JSON body of the one POST, already read and
 * checked here (the redrive), sent with a Content-Length of its own; without one (the read
 * routes, whose request bodies the server refuses) nothing of the request's body ever goes on,
 * so each request reaches the upstream as exactly one request on its pooled keep-alive socket.
 */
export function proxyHttp(
  req: IncomingMessage,
  res: ServerResponse,
  to: Upstream,
  pathAndQuery: string,
  name: string,
  body?: Buffer,
): void {
  const options = upstreamOptions(req, to, pathAndQuery);
  if (body !== undefined) {
    options.headers['content-type'] = 'application/json';
    options.headers['content-length'] = body.length;
  }
  req.resume();
  const upstream = http.request(options, (answer) => {
    res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
    answer.pipe(res);
  });
  upstream.on('error', (error) => {
    if (res.headersSent) res.destroy();
    else sendJson(res, 502, { error: `${name} unavailable: ${describe(error)}` });
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  upstream.end(body);
}

/** How the live stream is passed on. */
export interface StreamOptions {
  /** The retry hint sent to browsers while the bridge is unreachable. */
  retryMs: number;
  /** Bytes a client may leave unread (the bridge's slow-client rule); past it the client is dropped. */
  maxBufferedBytes: number;
  /** Told once per client dropped for reading too slowly. */
  onSlowClient: () => void;
}

/**
 * The live stream, unbuffered: headers are flushed at once and every chunk the bridge writes
 * is written on straight away. Last-Event-ID is forwarded (also from `?lastEventId=`, which
 * a freshly created EventSource uses to resume). When the client leaves, the upstream
 * request is torn down so the bridge drops its subscriber.
 *
 * The bridge's slow-client rule holds on this hop too: writes never wait, bytes the client has
 * not taken yet count against `maxBufferedBytes`, and a client past it is cut off (with its
 * upstream) and counted; it resumes with Last-Event-ID. So a browser that stops reading costs
 * bounded memory here, as it does on the bridge.
 *
 * When the bridge cannot be reached, an SSE client gets a 200 stream carrying one
 * `unavailable` event and a retry hint, then the end of the stream: EventSource then retries
 * by itself with its Last-Event-ID, whereas a 502 would make it give up for good.
 */
export function proxySse(
  req: IncomingMessage,
  res: ServerResponse,
  to: Upstream,
  pathAndQuery: string,
  stream: StreamOptions,
): void {
  const options = upstreamOptions(req, to, pathAndQuery);
  const { headers } = options;
  const fromHeader = req.headers['last-event-id'];
  const queryId = new URL(pathAndQuery, 'http://local').searchParams.get('lastEventId');
  // Only a value a header can carry: anything else stays in the query, where the bridge refuses it (400).
  if (typeof fromHeader === 'string' && fromHeader !== '') headers['last-event-id'] = fromHeader;
  else if (queryId && headerSafe(queryId)) headers['last-event-id'] = queryId;
  headers.accept = 'text/event-stream';
  req.resume();

  const upstream = http.request(options, (answer) => {
    const out = forwardable(answer.headers);
    if (answer.statusCode === 200) {
      out['cache-control'] = 'no-cache, no-transform';
      out['x-accel-buffering'] = 'no';
    }
    res.writeHead(answer.statusCode ?? 502, out);
    res.flushHeaders();
    req.socket.setNoDelay(true);
    answer.on('data', (chunk: Buffer) => {
      if (res.destroyed) return;
      const buffered = res.writableLength;
      if (buffered > 0 && buffered + chunk.length > stream.maxBufferedBytes) {
        stream.onSlowClient();
        res.destroy();
        upstream.destroy();
        return;
      }
      res.write(chunk);
    });
    answer.on('end', () => res.end());
    answer.on('error', () => res.end());
  });
  upstream.on('error', (error) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    const wantsStream = String(req.headers.accept ?? '').includes('text/event-stream');
    if (!wantsStream) {
      sendJson(res, 502, { error: `bridge unavailable: ${describe(error)}` });
      return;
    }
    const data = JSON.stringify({ error: `bridge unavailable: ${describe(error)}` });
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
    });
    res.end(`retry: ${stream.retryMs}\nevent: unavailable\ndata: ${data}\n\n`);
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  upstream.end();
}
