import path from 'node:path';
import { ConfigError, errorMessage, accessKeysFromEnv, httpTimeoutsFromEnv, HTTP_TIMEOUTS_HELP, hostFromEnv, keepRunningOnUnhandledRejections } from '../../../functions/src';
import { DEFAULT_DASHBOARD_USER, resolveDashboardLogin } from './login';
import { PortInUseError, startDashboardServer } from './server';

const HELP = `Usage: npm run dashboard:serve   (or: node dist/dashboard/server/src/main.js)

Serves the built dashboard (npm run dashboard:build first) and proxies its data:
  /api/tickets, /api/tickets/{number}, /api/stats   to the functions host (read APIs)
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
  FUNCTIONS_URL  functions host (default http://127.0.0.1:5000)
  BRIDGE_URL     SSE bridge (default http://127.0.0.1:5001)
  DASHBOARD_DIST built app directory (default dashboard/dist under the current directory)
${HTTP_TIMEOUTS_HELP}

SIGINT/SIGTERM stop it and close every open stream.`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return;
  }
  if (args.length > 0) throw new UsageError(`unknown argument "${args[0]}" (configuration is by environment; see --help)`);
  const port = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`PORT must be a port number, got "${process.env.PORT}"`);
  keepRunningOnUnhandledRejections((message) => console.error(message));
  const hostname = hostFromEnv(process.env);
  const login = resolveDashboardLogin(process.env, hostname);
  const server = await startDashboardServer({
    port,
    httpTimeouts: httpTimeoutsFromEnv(process.env),
    hostname,
    login,
    apiKey: accessKeysFromEnv(process.env).functionKeys[0],
    distDir: path.resolve(process.env.DASHBOARD_DIST ?? 'dashboard/dist'),
    functionsUrl: process.env.FUNCTIONS_URL ?? 'http://127.0.0.1:5000',
    bridgeUrl: process.env.BRIDGE_URL ?? 'http://127.0.0.1:5001',
  });
  console.log(`dashboard listening on ${server.boundUrl} (${login ? 'login required' : 'open: no DASHBOARD_PASSWORD, loopback development'}; api → ${process.env.FUNCTIONS_URL ?? 'http://127.0.0.1:5000'}, events → ${process.env.BRIDGE_URL ?? 'http://127.0.0.1:5001'})`);
  const shutdown = () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${HELP}`);
    process.exit(64);
  }
  if (error instanceof PortInUseError) console.error(`${error.message}: set PORT to move the dashboard.`);
  else if (error instanceof ConfigError) console.error(`Configuration error: ${error.message}`);
  else console.error(`dashboard server failed to start: ${errorMessage(error)}`);
  process.exit(1);
});
