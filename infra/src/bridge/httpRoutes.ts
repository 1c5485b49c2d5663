import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { errorMessage } from '../../../functions/src/storage/errors';
import { openEventStream, type EventsContext } from './eventsHandler';
import { BadEventsRequest, parseEventsRequest } from './eventsRequest';

export interface RoutesContext extends EventsContext {
  registry: Registry;
  maxHistory: number;
  health: () => Promise<{ postgres: boolean; rabbitmq: boolean }>;
  accepting: () => boolean;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function corsHeaders(origin: string): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'GET, OPTIONS',
    'Access-Control-Allow-Headers': 'Last-Event-ID, Cache-Control',
    ...(origin === '*' ? {} : { Vary: 'Origin' }),
  };
}

/** The bridge's three endpoints; anything else is a JSON 404/405. */
export function createRequestHandler(ctx: RoutesContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res, ctx).catch((error: unknown) => {
      ctx.log(`request failed: ${errorMessage(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: RoutesContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://bridge');
  const route = ['/events', '/healthz', '/metrics'].includes(url.pathname) ? url.pathname : undefined;
  if (!route) return sendJson(res, 404, { error: `No route ${url.pathname}; try GET /events, /healthz or /metrics` });
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { ...ctx.corsHeaders, 'Access-Control-Max-Age': '600' });
    res.end();
    return;
  }
  if (req.method !== 'GET') return sendJson(res, 405, { error: `${req.method} not allowed on ${route}; use GET` }, { Allow: 'GET, OPTIONS' });

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
    return sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', postgres: state(postgres), rabbitmq: state(rabbitmq) }, ctx.corsHeaders);
  }
  if (!ctx.accepting()) return sendJson(res, 503, { error: 'bridge is shutting down' }, ctx.corsHeaders);
  let request;
  try {
    const header = req.headers['last-event-id'];
    request = parseEventsRequest(url.searchParams, Array.isArray(header) ? header[0] : header, ctx.maxHistory);
  } catch (error) {
    if (error instanceof BadEventsRequest) return sendJson(res, 400, { error: error.message }, ctx.corsHeaders);
    throw error;
  }
  await openEventStream(req, res, request, ctx);
}
