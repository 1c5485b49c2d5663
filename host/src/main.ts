import {
  declaredFunctions,
  loadConfig,
  consoleLogger,
  accessKeysFromEnv,
  refuseExampleSecret,
  resolveAccess,
  readEnv,
  type Env,
} from '../../functions/src';
import { HTTP_TIMEOUTS_HELP, hostFromEnv, runMain, type Running, httpTimeoutsFromEnv } from '../../kit/src';
import { selectFunctions } from './functionSelection';
import { startHost } from './host';

const HELP = `Usage: npm run host   (or: node dist/host/src/main.js)

Serves every declared function locally, as \`func start\` would:
  POST /webhook, GET /metrics, GET /healthz (anyone)
  GET /api/health, GET /api/tickets, GET /api/tickets/{number}, GET /api/stats (function key)
  DELETE /api/tickets/{number}/buyer (admin key)
  the outbox and retention timers and the RabbitMQ-triggered relay.

Environment (defaults in local.settings.example.json):
  PORT                         listening port (default 5000)
  HOST                         listening address (default 127.0.0.1: this machine only; 0.0.0.0 for every interface)
  PETZI_API_KEY                function key(s) for the read paths, comma-separated for rotation; sent as
                               the x-functions-key header or ?code=. Unset: read paths open, allowed only
                               on loopback outside production
  PETZI_ADMIN_KEY              admin key(s) for state-changing routes (also pass function level); unset: those are closed
  PETZI_WEBHOOK_SECRET         shared secret(s), comma-separated for rotation (alias SECRET_KEY)
  SIGNATURE_TOLERANCE_SECONDS  signature timestamp window (default 300)
  DATABASE_URL                 Postgres URL (alias DATABASE_URI)
  RABBITMQ_URL                 amqp URL (alias RabbitMQConnection)
  MAX_BODY_BYTES               largest accepted webhook body (default 1048576)
${HTTP_TIMEOUTS_HELP}
  PETZI_TOPOLOGY_PREFIX        prefix for exchange and queue names (tests, side-by-side stacks)
  PETZI_FUNCTIONS              serve only these functions, comma-separated names or trigger kinds
                               (@http, @timer, @rabbitmq); default: all
  PETZI_RELAY_QUEUE_TYPE       classic (default, one broker) or quorum (a RabbitMQ cluster): the type of
                               petzi.relay and petzi.relay.dlq

SIGINT/SIGTERM stop it gracefully: in-flight requests finish, then it exits 0.`;

async function start(env: Env): Promise<Running> {
  const config = loadConfig(env);
  const port = readEnv.port(env, 'PORT', { default: 5000 });
  const hostname = hostFromEnv(env);
  // Refuse to run open: exposed (not loopback, or production) needs a key and a real secret.
  refuseExampleSecret(config.secrets, hostname, env);
  const access = resolveAccess(accessKeysFromEnv(env), hostname, env);
  const host = await startHost({
    config,
    port,
    hostname,
    access,
    log: consoleLogger,
    topologyPrefix: readEnv.string(env, 'PETZI_TOPOLOGY_PREFIX'),
    functions: selectFunctions(declaredFunctions(), readEnv.list(env, 'PETZI_FUNCTIONS', { default: ['@http', '@timer', '@rabbitmq'] })),
    httpTimeouts: httpTimeoutsFromEnv(env),
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
