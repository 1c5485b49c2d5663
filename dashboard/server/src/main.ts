import { readEnv, type Env } from '../../../functions/src';
import { runMain, type Running } from '../../../kit/src';
import { DASHBOARD_VARIABLES, loadDashboardConfig } from './config';
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
${readEnv.variablesHelp(DASHBOARD_VARIABLES)}

SIGINT/SIGTERM stop it gracefully: every open stream is closed, then it exits 0.`;

async function start(env: Env): Promise<Running> {
  const config = loadDashboardConfig(env);
  const server = await startDashboardServer(config);
  console.log(
    `dashboard listening on ${server.boundUrl} (${config.login ? 'login required' : 'open: no DASHBOARD_PASSWORD, loopback development'}; api → ${config.functionsUrl}, events → ${config.bridgeUrl})`,
  );
  return server;
}

void runMain({
  name: 'dashboard server',
  help: HELP,
  start,
  stopping: 'closing streams',
  stopped: 'dashboard server stopped',
  graceMs: 10_000,
});
