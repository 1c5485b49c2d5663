import { declaredFunctions, ConfigError, loadConfig, consoleLogger, errorMessage, accessKeysFromEnv, refuseExampleSecret, resolveAccess, HTTP_TIMEOUTS_HELP, hostFromEnv, keepRunningOnUnhandledRejections, stopOnSignal, type FunctionDeclaration, httpTimeoutsFromEnv } from '../../functions/src';
import { PortInUseError, startHost } from './host';

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
  PETZI_FUNCTIONS              serve only these functions, comma-separated (default: all)

SIGINT/SIGTERM stop it gracefully: in-flight requests finish, then it exits 0.`;

/** PETZI_FUNCTIONS=webhook,relay serves a subset, e.g. to run the relay in its own processes. */
function selectFunctions(list: string | undefined): FunctionDeclaration[] {
  const functions = declaredFunctions();
  if (!list || list.trim() === '') return functions;
  const wanted = list.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = wanted.filter((name) => !functions.some((f) => f.name === name));
  if (unknown.length > 0) {
    throw new ConfigError(`PETZI_FUNCTIONS names unknown functions: ${unknown.join(', ')} (known: ${functions.map((f) => f.name).join(', ')})`);
  }
  return functions.filter((f) => wanted.includes(f.name));
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(HELP);
    return;
  }
  keepRunningOnUnhandledRejections((message) => consoleLogger.error(message));
  const config = loadConfig();
  const port = Number(process.env.PORT ?? 5000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, got "${process.env.PORT}"`);
  const hostname = hostFromEnv(process.env);
  // Refuse to run open: exposed (not loopback, or production) needs a key and a real secret.
  refuseExampleSecret(config.secrets, hostname, process.env);
  const access = resolveAccess(accessKeysFromEnv(process.env), hostname, process.env);
  const host = await startHost({
    config,
    port,
    hostname,
    access,
    log: consoleLogger,
    topologyPrefix: process.env.PETZI_TOPOLOGY_PREFIX || undefined,
    functions: selectFunctions(process.env.PETZI_FUNCTIONS),
    httpTimeouts: httpTimeoutsFromEnv(process.env),
  });
  console.log(
    `functions host listening on ${host.boundUrl} (webhook: ${host.boundUrl}/webhook, metrics: ${host.boundUrl}/metrics; ` +
      `read paths: ${access.openReads ? 'open, loopback development without PETZI_API_KEY' : 'function key required'})`,
  );

  stopOnSignal(() => host.stop(), { stopping: 'finishing in-flight work', stopped: 'functions host stopped', graceMs: 15_000 });
}

main().catch((error: unknown) => {
  if (error instanceof PortInUseError) {
    console.error(`${error.message}: set PORT to move the functions host.`);
  } else if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error(`functions host failed to start: ${errorMessage(error)}`);
  }
  process.exit(1);
});
