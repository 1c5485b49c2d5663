import { consoleLogger, readEnv, type Env } from '../../functions/src';
import { runMain, type Running } from '../../kit/src';
import { HOST_VARIABLES, hostSettings } from './environment';
import { startHost } from './host';

const HELP = `Usage: npm run host   (or: node dist/host/src/main.js)

Serves every declared function locally, as \`func start\` would:
  POST /webhook, GET /metrics, GET /healthz (anyone)
  GET /api/health, GET /api/tickets, GET /api/tickets/{number}, GET /api/stats (function key)
  DELETE /api/tickets/{number}/buyer (admin key)
  the outbox and retention timers and the RabbitMQ-triggered relay.

Environment (npm start and func start take defaults from local.settings.example.json):
${readEnv.variablesHelp(HOST_VARIABLES)}

SIGINT/SIGTERM stop it gracefully: in-flight requests finish, then it exits 0.`;

async function start(env: Env): Promise<Running> {
  const { config, port, hostname, access, topologyPrefix, functions, httpTimeouts } = hostSettings(env);
  const host = await startHost({
    config,
    port,
    hostname,
    access,
    log: consoleLogger,
    topologyPrefix,
    functions,
    httpTimeouts,
  });
  console.log(
    `functions host listening on ${host.boundUrl} (webhook: ${host.boundUrl}/webhook, metrics: ${host.boundUrl}/metrics; ` +
      `read paths: ${access.openReads ? 'open, loopback development without PETZI_API_KEY' : 'function key required'})`,
  );
  return host;
}

void runMain({
  name: 'functions host',
  help: HELP,
  start,
  stopping: 'finishing in-flight work',
  stopped: 'functions host stopped',
  graceMs: 15_000,
  logError: (message) => consoleLogger.error(message),
});
