import { HTTP_TIMEOUTS_HELP, runMain, type Env, type Running } from '../../../functions/src';
import { DASHBOARD_DEFAULTS, loadDashboardConfig } from './config';
import { DEFAULT_DASHBOARD_USER } from './login';
import { startDashboardServer } from './server';

const HELP = `Usage: npm run dashboard:serve   (or: node dist/dashboard/server/src/main.js)

Serves the built dashboard (npm run dashboard:build first) and proxies its data:
  /api/tickets, /api/tickets/{number}, /api/stats, /api/deliveries, /api/dead-letters
                      to the functions host (read APIs, GET)
  /api/dead-letters/redrive   to the functions host (POST, same-origin only, with the admin key)
  /events  to the SSE bridge (live stream, unbuffered, Last-Event-ID forwarded)
Nothing else is passed on (any other /api path is a 404; /metrics and /webhook are never reachable).
Browsers log in (GET/POST /login, POST /logout; an HttpOnly SameSite=Strict session cookie) and
never see the API key: this server adds it to what it proxies.

Environment:
  PORT                 listening port (default 8080)
  HOST                 listening address (default 127.0.0.1: this machine only; 0.0.0.0 for every interface)
  DASHBOARD_USER       login user name (default ${DEFAULT_DASHBOARD_USER})
  DASHBOARD_PASSWORD   login password; unset: no login, allowed only on loopback outside production
  DASHBOARD_LOGIN_TOKEN  a one-click login: /?token=<it> logs in once (npm start sets it)
  PETZI_API_KEY        the key it adds (x-functions-key) to /api and /events; the first of a list
  PETZI_ADMIN_KEY      the key it adds to /api/dead-letters/redrive only; unset: that route answers 403
  FUNCTIONS_URL  functions host (default http://127.0.0.1:5000)
  BRIDGE_URL     SSE bridge (default http://127.0.0.1:5001)
  DASHBOARD_DIST built app directory (default dashboard/dist under the current directory)
  DASHBOARD_PUBLIC_ORIGIN  the origin(s) browsers use from elsewhere, comma-separated (e.g.
                 https://tickets.example.org); a request whose Host is neither a loopback name nor
                 one of these gets a 421 (default: none, loopback names only)
  DASHBOARD_TRUST_PROXY  1: one reverse proxy in front (nginx); the login throttle counts the last
                 X-Forwarded-For address instead of the proxy's (default 0)
  DASHBOARD_LOGIN_FAILURES_PER_MINUTE  failed logins per client address per minute, then that
                 address waits (default ${DASHBOARD_DEFAULTS.loginFailuresPerMinute})
  DASHBOARD_LOGIN_FAILURES_CEILING  failed logins per minute from all addresses; past it an address
                 that failed once waits, one that has not still gets its login checked (default ${DASHBOARD_DEFAULTS.loginFailuresCeiling})
  DASHBOARD_MAX_STREAMS  live streams passed on at most; past it a 503 with Retry-After (default ${DASHBOARD_DEFAULTS.maxStreams})
  DASHBOARD_MAX_STREAMS_PER_SESSION  live streams per login session at most (default ${DASHBOARD_DEFAULTS.maxStreamsPerSession})
  DASHBOARD_CLIENT_BUFFER_BYTES  bytes a stream client may leave unread before it is cut off (default ${DASHBOARD_DEFAULTS.clientBufferBytes})
${HTTP_TIMEOUTS_HELP}

SIGINT/SIGTERM stop it gracefully: every open stream is closed, then it exits 0.`;

async function start(env: Env): Promise<Running> {
  const config = loadDashboardConfig(env);
  const server = await startDashboardServer(config);
  console.log(
    `dashboard listening on ${server.boundUrl} (${config.login ? 'login required' : 'open: no DASHBOARD_PASSWORD, loopback development'}; api → ${config.functionsUrl}, events → ${config.bridgeUrl})`,
  );
  return server;
}

void runMain({ name: 'dashboard server', help: HELP, start, stopping: 'closing streams', stopped: 'dashboard server stopped', graceMs: 10_000 });
