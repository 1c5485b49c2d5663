import { ConfigError, loadConfig, outsideLocalDevelopment, usesExampleSecret } from '../../../functions/src/config';
import { consoleLogger } from '../../../functions/src/runtime/logger';
import { errorMessage } from '../../../functions/src/storage/errors';
import { HTTP_TIMEOUTS_HELP } from '../shared/httpLimits';
import { keepRunningOnUnhandledRejections } from '../shared/processGuards';
import { stopOnSignal } from '../shared/stopOnSignal';
import { functions } from '../../../functions/src/functions';
import type { FunctionDeclaration } from '../../../functions/src/runtime/declaration';
import { PortInUseError, startHost } from './host';
import { httpTimeoutsFromEnv } from '../shared/httpLimits';

const HELP = `Usage: npm run host   (or: node dist/infra/src/host/main.js)

Serves every declared function locally, as \`func start\` would:
  POST /webhook, GET /metrics, GET /api/health, GET /api/tickets, GET /api/stats,
  the outbox timer and the RabbitMQ-triggered relay.

Environment (defaults in local.settings.example.json):
  PORT                         listening port (default 5000)
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
  if (usesExampleSecret(config) && outsideLocalDevelopment(process.env)) {
    consoleLogger.warn(
      'WARNING: PETZI_WEBHOOK_SECRET is the example secret "secret" and this is not local development ' +
        '(NODE_ENV=production, AZURE_FUNCTIONS_ENVIRONMENT other than Development, or WEBSITE_INSTANCE_ID set): ' +
        'anyone can sign webhooks. Set a real secret.',
    );
  }
  const host = await startHost({
    config,
    port,
    log: consoleLogger,
    topologyPrefix: process.env.PETZI_TOPOLOGY_PREFIX || undefined,
    functions: selectFunctions(process.env.PETZI_FUNCTIONS),
    httpTimeouts: httpTimeoutsFromEnv(process.env),
  });
  console.log(`functions host listening on ${host.url} (webhook: ${host.url}/webhook, metrics: ${host.url}/metrics)`);

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
