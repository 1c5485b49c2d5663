import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Registry } from 'prom-client';
import { createHandlerErrorCounter, exposure } from '../../../functions/src';
import {
  guard,
  reportFailures,
  createLimitedServer,
  type HttpTimeouts,
  boundUrl,
  listen,
  LOOPBACK,
  targetOrRefuse,
  sendJson,
  isRefusal,
  Slots,
} from '../../../kit/src';
import { forwardRedrive } from './adminRoute';
import { allowedRoute, DASHBOARD_METHODS } from './allowedRoutes';
import { cookie, SESSION_COOKIE } from './cookies';
import { framingRefusal } from './framing';
import { servesHost } from './hostNames';
import { AUTH_CHECK, LoginGate, type DashboardLogin } from './login';
import { proxyHttp, proxySse, type Upstream } from './proxy';
import { LoginThrottle } from './loginThrottle';
import { SessionStore } from './sessions';
import { serveStatic } from './staticFiles';
import { createStreamMetrics } from './streamMetrics';

export interface DashboardServerOptions {
  port: number;
  /** Default 127.0.0.1. */
  hostname?: string;
  /** The login (main.ts: resolveDashboardLogin); without one the server runs open, which only loopback allows. */
  login?: DashboardLogin;
  /** Added as x-functions-key to what is proxied to the functions host and the bridge. */
  apiKey?: string;
  /** PETZI_ADMIN_KEY: added instead, only to the redrive of dead letters; without it that route is a 403. */
  adminKey?: string;
  /** A session ends after this long unused (default 12 hours). */
  sessionIdleMs?: number;
  /** Failed logins one client address may make per minute before it waits for the next minute (default 10). */
  loginFailuresPerMinute?: number;
  /**
   * Failed logins per minute from all addresses together before an address that failed waits (default 100; see
   * LoginThrottle).
   */
  loginFailuresCeiling?: number;
  /** One reverse proxy in front (DASHBOARD_TRUST_PROXY): the client address is the last X-Forwarded-For entry. */
  trustProxy?: boolean;
  /** The origins browsers use from elsewhere (DASHBOARD_PUBLIC_ORIGIN); loopback names are always served. */
  publicOrigins?: readonly URL[];
  /**
   * Live streams passed on at most, overall (default 1000) and per session (default 10; no login: the overall cap
   * only).
   */
  maxStreams?: number;
  maxStreamsPerSession?: number;
  /** Bytes a stream client may leave unread before it is cut off (default 1 MiB, as on the bridge). */
  clientBufferBytes?: number;
  /** The built app (dashboard/dist). */
  distDir: string;
  /** The functions host, for /api/*. */
  functionsUrl: string;
  /** The SSE bridge, for /events. */
  bridgeUrl: string;
  /** The retry hint sent to browsers while the bridge is unreachable. */
  sseRetryMs?: number;
  /** The same limits on slow and idle clients as the functions host (main.ts reads HTTP_*_TIMEOUT_MS). */
  httpTimeouts?: Partial<HttpTimeouts>;
  /** Where unexpected failures are logged (default: stderr). */
  log?: (message: string) => void;
}

export interface RunningDashboardServer {
  /** Where a client on this machine reaches it (127.0.0.1 even when bound wider). */
  url: string;
  /** What is really bound, e.g. http://0.0.0.0:8080. */
  boundUrl: string;
  port: number;
  /** Holds http_handler_errors_total; the dashboard server serves no /metrics of its own. */
  registry: Registry;
  stop(): Promise<void>;
}

export { PortInUseError } from '../../../kit/src';

export const DASHBOARD_STREAM_DEFAULTS = {
  maxStreams: 1000,
  maxStreamsPerSession: 10,
  clientBufferBytes: 1024 * 1024,
} as const;

/** What a refused stream is told to wait before it tries again. */
const STREAM_RETRY_AFTER_SECONDS = 5;

function parseBase(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} is not a URL: "${value}"`);
  }
  if (url.protocol !== 'http:') throw new Error(`${name} must be an http:// URL, got "${value}"`);
  return url;
}

/** The production dashboard: the built app, /api/* to the functions, /events to the bridge. */
export async function startDashboardServer(options: DashboardServerOptions): Promise<RunningDashboardServer> {
  const distDir = path.resolve(options.distDir);
  const hostname = options.hostname ?? LOOPBACK;
  const open = exposure(hostname, {});
  if (!options.login && open !== undefined)
    throw new Error(`a dashboard without a login may only bind loopback, and ${open}: set DASHBOARD_PASSWORD`);
  const retryMs = options.sseRetryMs ?? 2000;
  // Own agents, so stop() can close their pooled sockets instead of leaving them to time out.
  const apiAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sseAgent = new http.Agent({ keepAlive: false });
  const functions: Upstream = {
    url: parseBase('functionsUrl', options.functionsUrl),
    agent: apiAgent,
    apiKey: options.apiKey,
  };
  const functionsAdmin: Upstream = { ...functions, apiKey: options.adminKey };
  const bridge: Upstream = { url: parseBase('bridgeUrl', options.bridgeUrl), agent: sseAgent, apiKey: options.apiKey };
  const gate = options.login
    ? new LoginGate(
        options.login,
        new SessionStore({ idleMs: options.sessionIdleMs ?? 12 * 3600_000 }, options.login.loginToken),
        new LoginThrottle({
          perAddress: options.loginFailuresPerMinute ?? 10,
          ceiling: options.loginFailuresCeiling ?? 100,
        }),
        options.trustProxy ?? false,
      )
    : undefined;
  const publicOrigins = options.publicOrigins ?? [];
  const streams = new Slots({
    overall: options.maxStreams ?? DASHBOARD_STREAM_DEFAULTS.maxStreams,
    perHolder: options.maxStreamsPerSession ?? DASHBOARD_STREAM_DEFAULTS.maxStreamsPerSession,
  });

  const registry = new Registry();
  const onFailure = reportFailures(
    options.log ?? ((message) => console.error(message)),
    createHandlerErrorCounter(registry),
  );
  const streamMetrics = createStreamMetrics(registry, () => streams.size);
  const stream = {
    retryMs,
    maxBufferedBytes: options.clientBufferBytes ?? DASHBOARD_STREAM_DEFAULTS.clientBufferBytes,
    onSlowClient: () => streamMetrics.droppedSlow.inc(),
  };

  /** A live stream for this request, counted against the caps until it closes; false once refused (503). */
  function streamSlot(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    // Without a login there are no sessions (loopback development): the overall cap only.
    const slot = streams.take(gate ? cookie(req, SESSION_COOKIE) : undefined);
    if (!isRefusal(slot)) {
      res.once('close', () => slot.release());
      return true;
    }
    const limit = slot.limit === 'overall' ? 'overall' : 'per_session';
    streamMetrics.refused.inc({ limit });
    const which =
      limit === 'overall'
        ? `the dashboard's ${slot.max} live streams (DASHBOARD_MAX_STREAMS)`
        : `${slot.max} live streams for this session (DASHBOARD_MAX_STREAMS_PER_SESSION)`;
    sendJson(
      res,
      503,
      { error: `too many live streams: ${which} are open; try again later`, limit, max: slot.max },
      { 'Retry-After': String(STREAM_RETRY_AFTER_SECONDS) },
    );
    return false;
  }

  function route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const target = targetOrRefuse(req, res);
    if (!target) return;
    // The health probe answers whatever name it is asked by (an orchestrator uses the pod's address).
    if (target.pathname !== '/healthz' && !servesHost(req.headers.host, publicOrigins)) {
      req.resume();
      const host = JSON.stringify((req.headers.host ?? '').slice(0, 100));
      const error =
        req.headers.host === undefined
          ? 'Missing Host header'
          : `Host ${host} is not a name this dashboard serves: browse to it as localhost or 127.0.0.1, or set DASHBOARD_PUBLIC_ORIGIN to the URL browsers use`;
      return sendJson(res, req.headers.host === undefined ? 400 : 421, { error }, { Connection: 'close' });
    }
    // Framing is checked before anything reads or passes on a request (see framing.ts).
    const badFraming = framingRefusal(req);
    if (badFraming !== undefined) {
      req.resume();
      return sendJson(res, 400, { error: badFraming }, { Connection: 'close' });
    }
    const [first] = target.segments;
    const loginAnswer = gate?.answer(req, target);
    if (loginAnswer) return guard(res, 'dashboard login', () => loginAnswer(res), onFailure);
    if (target.pathname === AUTH_CHECK) {
      // nginx's auth_request asks here whether a request's cookie is a live session: 204 yes, 401 no.
      req.resume();
      res.writeHead(204, { 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if (first === 'api' || first === 'events') {
      const allowed = allowedRoute(target.segments);
      if (!allowed) {
        req.resume();
        return sendJson(res, 404, { error: `not found: ${target.pathname} is not a route of the dashboard` });
      }
      const methods: readonly string[] = allowed.methods;
      if (!methods.includes(req.method ?? '')) {
        req.resume();
        return sendJson(
          res,
          405,
          { error: `method ${req.method} not allowed on ${allowed.path}` },
          { Allow: methods.join(', ') },
        );
      }
      // The checked spelling is what goes on, so the upstream routes on exactly what was allowed here.
      const pathAndQuery = `${target.pathname}${target.search}`;
      if (allowed.key === 'admin')
        return guard(res, 'dashboard redrive', () => forwardRedrive(req, res, functionsAdmin, pathAndQuery), onFailure);
      if (allowed.upstream === 'bridge') {
        if (req.method === 'GET' && !streamSlot(req, res)) return;
        proxySse(req, res, bridge, pathAndQuery, stream);
      } else proxyHttp(req, res, functions, pathAndQuery, 'functions host');
      return;
    }
    if (target.pathname === '/healthz') {
      req.resume();
      if (!DASHBOARD_METHODS.includes(req.method ?? ''))
        return sendJson(
          res,
          405,
          { error: `method ${req.method} not allowed` },
          { Allow: DASHBOARD_METHODS.join(', ') },
        );
      return sendJson(res, 200, { status: 'ok' });
    }
    guard(res, 'dashboard static files', () => serveStatic(req, res, distDir, target.pathname), onFailure);
  }

  // Routing is guarded as well as the work, so that no request can end the process.
  const server = createLimitedServer(options.httpTimeouts ?? {}, (req, res) =>
    guard(res, 'dashboard', () => route(req, res), onFailure),
  );

  await listen(server, options.port, hostname);
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    boundUrl: boundUrl(server),
    port,
    registry,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open event streams would hold close() forever; ending them also ends their upstreams.
        server.closeAllConnections();
        apiAgent.destroy();
        sseAgent.destroy();
      });
      return stopping;
    },
  };
}
