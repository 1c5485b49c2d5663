import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { refusal, type Access, KEY_HEADER, acceptedKeyDigest } from '../../functions/src';
import {
  guard,
  reportFailures,
  type HandlerFailure,
  targetOrRefuse,
  sendJson,
  isRefusal,
  type Slots,
} from '../../kit/src';
import { openEventStream, streamHeaders, type EventsContext } from './eventsHandler';
import { BadEventsRequest, parseEventsRequest } from './eventsRequest';

export interface RoutesContext extends EventsContext {
  /** Origins that may read the bridge cross-origin (CORS_ORIGINS); none by default. */
  corsOrigins?: string[];
  /** The key /events asks for (the host's PETZI_API_KEY); omitted: closed to every caller. */
  access?: Access;
  registry: Registry;
  maxHistory: number;
  health: () => Promise<{ postgres: boolean; rabbitmq: boolean }>;
  accepting: () => boolean;
  /** The caps on open streams (BRIDGE_MAX_STREAMS, BRIDGE_MAX_STREAMS_PER_KEY); omitted: none. */
  streams?: Slots;
}

/** What a refused stream is told to wait before it tries again. */
export const STREAM_RETRY_AFTER_SECONDS = 5;

/** The one count the keyless clients of an open bridge (local development) share. */
const KEYLESS = 'keyless';

const CLOSED: Access = { keys: { functionKeys: [], adminKeys: [] }, openReads: false };

/** CORS headers only for an Origin the list names; every reply varies by Origin once a list exists. */
export function corsHeaders(allowed: string[], origin: string | undefined): Record<string, string> {
  if (allowed.length === 0) return {};
  if (origin === undefined || !allowed.includes(origin)) return { Vary: 'Origin' };
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
    'Access-Control-Allow-Headers': `Last-Event-ID, Cache-Control, ${KEY_HEADER}`,
    Vary: 'Origin',
  };
}

/** Every route the bridge serves. */
export const BRIDGE_ROUTES = ['/events', '/healthz', '/metrics'];

/** The bridge's three endpoints; anything else is a JSON 400/404/405, an unexpected failure a 500. */
export function createRequestHandler(ctx: RoutesContext): (req: IncomingMessage, res: ServerResponse) => void {
  const onFailure = reportFailures(ctx.log, ctx.metrics.handlerErrors);
  // Routing is guarded too (as the route's own work is), so that no request can end the process.
  return (req, res) => guard(res, 'bridge', () => route(req, res, ctx, onFailure), onFailure);
}

function route(req: IncomingMessage, res: ServerResponse, ctx: RoutesContext, onFailure: HandlerFailure): void {
  const target = targetOrRefuse(req, res, ctx.corsHeaders);
  if (!target) return;
  const found = BRIDGE_ROUTES.find((r) => r === target.pathname);
  if (!found)
    return sendJson(res, 404, { error: `No route ${target.pathname}; try GET /events, /healthz or /metrics` });
  const cors = { ...ctx.corsHeaders, ...corsHeaders(ctx.corsOrigins ?? [], req.headers.origin) };
  guard(res, `bridge ${found}`, () => handle(req, res, found, target.query, { ...ctx, corsHeaders: cors }), onFailure);
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  route: string,
  query: URLSearchParams,
  ctx: RoutesContext,
): Promise<void> {
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { ...ctx.corsHeaders, 'Access-Control-Max-Age': '600' });
    res.end();
    return;
  }
  // HEAD is GET without the body: node:http writes none for it, and /events opens no stream.
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendJson(
      res,
      405,
      { error: `${req.method} not allowed on ${route}; use GET` },
      { Allow: 'GET, HEAD, OPTIONS' },
    );
  }

  if (route === '/metrics') {
    const text = await ctx.registry.metrics();
    res.writeHead(200, { 'Content-Type': ctx.registry.contentType, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  if (route === '/healthz') {
    const { postgres, rabbitmq } = await ctx.health();
    const ok = postgres && rabbitmq;
    const state = (up: boolean) => (up ? 'ok' : 'down');
    return sendJson(
      res,
      ok ? 200 : 503,
      { status: ok ? 'ok' : 'unavailable', postgres: state(postgres), rabbitmq: state(rabbitmq) },
      ctx.corsHeaders,
    );
  }
  const denied = refusal('function', ctx.access ?? CLOSED, req.headers, query);
  if (denied !== undefined) return sendJson(res, 401, { error: denied }, ctx.corsHeaders);
  if (!ctx.accepting()) return sendJson(res, 503, { error: 'bridge is shutting down' }, ctx.corsHeaders);
  let request;
  try {
    const header = req.headers['last-event-id'];
    request = parseEventsRequest(query, Array.isArray(header) ? header[0] : header, ctx.maxHistory);
  } catch (error) {
    if (error instanceof BadEventsRequest) return sendJson(res, 400, { error: error.message }, ctx.corsHeaders);
    throw error;
  }
  if (req.method === 'HEAD') {
    res.writeHead(200, streamHeaders(ctx.corsHeaders));
    res.end();
    return;
  }
  const slot = ctx.streams?.take(acceptedKeyDigest(ctx.access ?? CLOSED, req.headers, query) ?? KEYLESS);
  if (slot !== undefined && isRefusal(slot)) {
    const limit = slot.limit === 'overall' ? 'overall' : 'per_key';
    ctx.metrics.refused.inc({ limit });
    const which =
      slot.limit === 'overall'
        ? `the bridge's ${slot.max} open streams (BRIDGE_MAX_STREAMS)`
        : `${slot.max} open streams for this key (BRIDGE_MAX_STREAMS_PER_KEY)`;
    return sendJson(
      res,
      503,
      { error: `too many live streams: ${which} are in use; try again later`, limit, max: slot.max },
      { ...ctx.corsHeaders, 'Retry-After': String(STREAM_RETRY_AFTER_SECONDS) },
    );
  }
  if (slot !== undefined) res.once('close', () => slot.release());
  await openEventStream(req, res, request, ctx);
}
