import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { proxyHttp, proxySse } from './proxy';
import { sendJson } from './respond';
import { serveStatic } from './staticFiles';
import { listen } from '../shared/listen';

export interface DashboardServerOptions {
  port: number;
  hostname?: string;
  /** The built app (dashboard/dist). */
  distDir: string;
  /** The functions host, for /api/*. */
  functionsUrl: string;
  /** The SSE bridge, for /events. */
  bridgeUrl: string;
  /** The retry hint sent to browsers while the bridge is unreachable. */
  sseRetryMs?: number;
}

export interface RunningDashboardServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export { PortInUseError } from '../shared/listen';

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
  const functions = parseBase('functionsUrl', options.functionsUrl);
  const bridge = parseBase('bridgeUrl', options.bridgeUrl);
  const retryMs = options.sseRetryMs ?? 2000;
  // Own agents, so stop() can close their pooled sockets instead of leaving them to time out.
  const apiAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sseAgent = new http.Agent({ keepAlive: false });

  const server = http.createServer((req, res) => {
    const raw = req.url ?? '/';
    const pathname = raw.split('?')[0];
    if (pathname === '/api' || pathname.startsWith('/api/')) {
      proxyHttp(req, res, functions, raw, apiAgent, 'functions host');
    } else if (pathname === '/events') {
      proxySse(req, res, bridge, raw, sseAgent, retryMs);
    } else if (pathname === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
    } else {
      serveStatic(req, res, distDir, pathname).catch(() => sendJson(res, 500, { error: 'could not read the dashboard files' }));
    }
  });
  // A live stream is a response that never ends: no timeout may cut it.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5000;

  await listen(server, options.port, options.hostname);
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
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
