import type { Env } from '../../../functions/src';
import { HTTP_TIMEOUTS_HELP, runMain, type Running } from '../../../kit/src';
import { loadDashboardConfig } from './config';
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
