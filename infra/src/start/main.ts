import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureBuilt } from './build';
import { startChild, type ManagedChild } from './children';
import { credentialEnv, ensureCredentials, loginLines, tryItLine } from './credentials';
import { portFromEnv, PortTakenError, requireFreePort } from './ports';
import { ensurePostgres, type PostgresHandle } from './postgres';
import { ensureRabbit, NoBrokerError, type RabbitHandle } from './rabbitmq';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

const HELP = `Usage: npm start

Runs the whole PETZI pipeline on this machine, no Docker and no configuration needed:
  Postgres     DATABASE_URL if set, else an embedded PostgreSQL (data in .data/postgres)
  RabbitMQ     RABBITMQ_URL if set, else the local broker on 5672, else a private
               rabbitmq-server node (data in .data/rabbitmq), else it says how to get one
  functions    http://localhost:5000  (POST /webhook, /metrics, /api/*)   FUNCTIONS_PORT
  SSE bridge   http://localhost:5001  (/events, /metrics, /healthz)       BRIDGE_PORT
  dashboard    http://localhost:8080                                      DASHBOARD_PORT
Other ports: POSTGRES_PORT (embedded Postgres, 54320), RABBITMQ_PORT (private node, 5673).
PETZI_DATA_DIR moves the data folder (default .data). Settings default to the Values of
local.settings.example.json (secret "secret"); the environment overrides them.

Ctrl-C or SIGTERM stops everything gracefully. Exit codes: 0 after a clean stop, 1 when
start-up fails, 11/12/13 when the functions host / bridge / dashboard died on its own.`;

const EXIT_CODES: Record<string, number> = { functions: 11, bridge: 12, dashboard: 13 };

function log(message: string): void {
  console.log(`[start]      ${message}`);
}

function exampleSettings(): Record<string, string> {
  const file = path.join(ROOT, 'local.settings.example.json');
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, string> };
  return parsed.Values ?? {};
}

async function waitForHttp(url: string, timeoutMs: number, child: ManagedChild): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(exited ? `${child.name} exited during start-up (see its log above)` : `${child.name} not ready at ${url} within ${timeoutMs / 1000} s`);
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  const env = process.env;
  const ports = {
    functions: portFromEnv(env, 'FUNCTIONS_PORT', 5000),
    bridge: portFromEnv(env, 'BRIDGE_PORT', 5001),
    dashboard: portFromEnv(env, 'DASHBOARD_PORT', 8080),
    postgres: portFromEnv(env, 'POSTGRES_PORT', 54320),
    rabbitmq: portFromEnv(env, 'RABBITMQ_PORT', 5673),
  };
  await requireFreePort(ports.functions, 'functions host', 'FUNCTIONS_PORT');
  await requireFreePort(ports.bridge, 'SSE bridge', 'BRIDGE_PORT');
  await requireFreePort(ports.dashboard, 'dashboard', 'DASHBOARD_PORT');
  const dataDir = path.resolve(ROOT, env.PETZI_DATA_DIR ?? '.data');
  const credentials = ensureCredentials(dataDir, env);
  const secretEnv = credentialEnv(credentials);

  ensureBuilt(ROOT, log);

  const children: ManagedChild[] = [];
  let postgres: PostgresHandle | undefined;
  let rabbit: RabbitHandle | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const child of [...children].reverse()) await child.stop();
      await rabbit?.stop();
      await postgres?.stop();
    })());

  let signalled = false;
  const onSignal = (signal: string) => {
    if (signalled) return;
    signalled = true;
    log(`${signal}: stopping everything`);
  };
  const signalled$ = new Promise<void>((resolve) => {
    process.once('SIGINT', () => (onSignal('SIGINT'), resolve()));
    process.once('SIGTERM', () => (onSignal('SIGTERM'), resolve()));
  });

  try {
    postgres = await ensurePostgres(env, dataDir, ports.postgres, log);
    rabbit = await ensureRabbit(env, dataDir, ports.rabbitmq, log);
    const settings = { ...exampleSettings() };
    const shared: Record<string, string> = {
      ...settings,
      ...Object.fromEntries(Object.keys(settings).flatMap((k) => (env[k] ? [[k, env[k] as string]] : []))),
      DATABASE_URL: postgres.url,
      RABBITMQ_URL: rabbit.url,
      RabbitMQConnection: rabbit.url,
    };
    const functionsUrl = `http://127.0.0.1:${ports.functions}`;
    const bridgeUrl = `http://127.0.0.1:${ports.bridge}`;
    const dashboardUrl = `http://localhost:${ports.dashboard}`;

    const host = startChild(0, 'functions', 'dist/infra/src/host/main.js', { ...shared, ...secretEnv.functions, PORT: String(ports.functions) }, ROOT);
    children.push(host);
    await waitForHttp(`${functionsUrl}/api/health?code=${encodeURIComponent(credentials.apiKey)}`, 60_000, host);
    const bridge = startChild(1, 'bridge', 'dist/infra/src/bridge/main.js', { ...shared, ...secretEnv.bridge, PORT: String(ports.bridge) }, ROOT);
    children.push(bridge);
    await waitForHttp(`${bridgeUrl}/healthz`, 60_000, bridge);
    const dashboard = startChild(
      2,
      'dashboard',
      'dist/infra/src/dashboard-server/main.js',
      { PORT: String(ports.dashboard), FUNCTIONS_URL: functionsUrl, BRIDGE_URL: bridgeUrl, ...secretEnv.dashboard },
      ROOT,
    );
    children.push(dashboard);
    await waitForHttp(`http://127.0.0.1:${ports.dashboard}/`, 30_000, dashboard);

    console.log(
      [
        '',
        'PETZI pipeline is running',
        `  dashboard   ${dashboardUrl}`,
        ...loginLines(dashboardUrl, credentials),
        `  webhook     POST http://localhost:${ports.functions}/webhook`,
        `  metrics     http://localhost:${ports.functions}/metrics   http://localhost:${ports.bridge}/metrics`,
        `  events      http://localhost:${ports.bridge}/events`,
        `  api         http://localhost:${ports.functions}/api/tickets   /api/stats   /api/health   (x-functions-key: the API key)`,
        rabbit.managementUrl ? `  RabbitMQ    ${rabbit.managementUrl}  (guest / guest)` : `  RabbitMQ    ${rabbit.source}`,
        `  Postgres    ${postgres.embedded ? `embedded, port ${ports.postgres}` : 'DATABASE_URL'}`,
        '',
        tryItLine(`http://localhost:${ports.functions}/webhook`, shared.PETZI_WEBHOOK_SECRET ?? 'secret'),
        'Stop:    Ctrl-C',
        '',
      ].join('\n'),
    );

    const died = Promise.race(children.map((child) => child.exited.then((code) => ({ child, code }))));
    const outcome = await Promise.race([signalled$.then(() => null), died]);
    if (outcome === null) {
      await stopAll();
      log('stopped');
      return 0;
    }
    log(`${outcome.child.name} exited with code ${outcome.code}; stopping the others`);
    await stopAll();
    return EXIT_CODES[outcome.child.name] ?? 1;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof PortTakenError || error instanceof NoBrokerError) console.error(`\n${error.message}`);
    else console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
