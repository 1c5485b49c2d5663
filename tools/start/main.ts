import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, readEnv, type Env } from '../../functions/src';
import { ensureBuilt } from './build';
import { startChild, type ManagedChild } from './children';
import { credentialEnv, ensureCredentials, loginLines, tryItLine, type StartCredentials } from './credentials';
import { settingVariable, START_OWN_VARIABLES, START_VARIABLES } from './environment';
import { forgetServices, recordServices } from './services';
import { installingAllowed } from '../provision/install';
import { PortTakenError, requireFreePort } from '../provision/ports';
import { START_SERVICE_VARIABLES } from '../provision/environment';
import { ensurePostgres, type PostgresHandle } from '../provision/postgres';
import { ensureDataDir } from '../provision/privateDir';
import { ensureRabbit, NoBrokerError, type RabbitHandle } from '../provision/rabbitmq';
import { brokerUrl } from '../provision/rabbitmqUser';
import { onStopRequest } from '../provision/stopRequest';

const ROOT = path.resolve(__dirname, '..', '..', '..');

const HELP = `Usage: npm start [-- --no-install]

Runs the whole PETZI pipeline on this machine, no Docker and no configuration needed:
  Postgres     DATABASE_URL if set, else an embedded PostgreSQL (data in .data/postgres)
  RabbitMQ     RABBITMQ_URL if set, else the broker on 127.0.0.1:5672, else a private node of an
               installed rabbitmq-server (data in .data/rabbitmq), else a container of a local
               rabbitmq image when a Docker engine answers, else Debian's rabbitmq-server
               installed with apt (as root or with password-less sudo; Homebrew on macOS, best
               effort; log in .data/), else it says how to get one
  functions    http://localhost:5000  (POST /webhook, /metrics, /api/*)
  SSE bridge   http://localhost:5001  (/events, /metrics, /healthz)
  dashboard    http://localhost:8080

Options:
  --no-install   never install a package (same as PETZI_NO_INSTALL=1)
  --help, -h     this text

Environment (all optional; the functions host's, the bridge's and the dashboard server's own
variables reach them too: see their --help):
${readEnv.variablesHelp(START_VARIABLES)}

Settings default to the Values of local.settings.example.json; the environment overrides them.
The API key, the admin key, the dashboard password, the embedded Postgres's password and the
RabbitMQ user of a node or container started here are generated into .data/credentials.json (0600).

Ctrl-C, SIGINT, SIGTERM, SIGHUP (the terminal closing) or the end of the parent process (npm)
stop everything gracefully, the services started here included. Exit codes: 0 after a clean stop,
1 when start-up fails, 11/12/13 when the functions host / bridge / dashboard died on its own.`;

const EXIT_CODES: Record<string, number> = { functions: 11, bridge: 12, dashboard: 13 };

function log(message: string): void {
  console.log(`[start]      ${message}`);
}

function exampleSettings(): Record<string, string> {
  const file = path.join(ROOT, 'local.settings.example.json');
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, string> };
  return parsed.Values ?? {};
}

async function waitForHttp(
  url: string,
  timeoutMs: number,
  child: ManagedChild,
  cancelled: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    if (cancelled()) return;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    exited
      ? `${child.name} exited during start-up (see its log above)`
      : `${child.name} not ready at ${url} within ${timeoutMs / 1000} s`,
  );
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  const env = process.env;
  const v = START_OWN_VARIABLES;
  const ports = {
    functions: readEnv.read(env, v.FUNCTIONS_PORT),
    bridge: readEnv.read(env, v.BRIDGE_PORT),
    dashboard: readEnv.read(env, v.DASHBOARD_PORT),
    postgres: readEnv.read(env, v.POSTGRES_PORT),
    rabbitmq: readEnv.read(env, v.RABBITMQ_PORT),
  };
  await requireFreePort(ports.functions, 'functions host', 'FUNCTIONS_PORT');
  await requireFreePort(ports.bridge, 'SSE bridge', 'BRIDGE_PORT');
  await requireFreePort(ports.dashboard, 'dashboard', 'DASHBOARD_PORT');
  const dataDir = path.resolve(ROOT, readEnv.read(env, v.PETZI_DATA_DIR));
  ensureDataDir(dataDir);
  const credentials = ensureCredentials(dataDir, env, log);
  const secretEnv = credentialEnv(credentials);

  ensureBuilt(ROOT, log);

  const children: ManagedChild[] = [];
  let postgres: PostgresHandle | undefined;
  let rabbit: RabbitHandle | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const child of [...children].reverse()) await child.stop();
      forgetServices(dataDir);
      await rabbit?.stop();
      await postgres?.stop();
    })());

  const signalled$ = new Promise<void>((resolve) =>
    onStopRequest((reason) => {
      log(`${reason}: stopping everything`);
      resolve();
    }),
  );
  // A stop request during start-up is honoured between steps rather than aborting one halfway.
  let stopRequested = false;
  void signalled$.then(() => (stopRequested = true));
  const checkStop = () => {
    if (stopRequested) throw new StopRequested();
  };

  try {
    postgres = await ensurePostgres(env, dataDir, ports.postgres, credentials.postgresPassword, log);
    checkStop();
    const localPort = readEnv.read(env, v.RABBITMQ_LOCAL_PORT);
    rabbit = await ensureRabbit({
      given: readEnv.read(env, START_SERVICE_VARIABLES.RABBITMQ_URL),
      // A broker npm start did not start: with its generated user if that broker has it, else
      // guest, which RabbitMQ lets in from loopback only.
      probe: {
        urls: [brokerUrl(credentials.rabbitmq, localPort), brokerUrl({ name: 'guest', password: 'guest' }, localPort)],
        managementUrl: `http://127.0.0.1:${localPort + 10_000}`,
      },
      user: credentials.rabbitmq,
      adoptInstalledBroker: true,
      dataDir,
      port: ports.rabbitmq,
      install: { allowed: installingAllowed(process.argv, env), logDir: dataDir, env },
      env,
      log,
    });
    checkStop();
    recordServices(dataDir, { databaseUrl: postgres.url, rabbitmqUrl: rabbit.url, pid: process.pid });
    const settings = { ...exampleSettings() };
    const shared: Record<string, string> = {
      ...settings,
      ...Object.fromEntries(Object.keys(settings).flatMap((k) => given(env, k))),
      DATABASE_URL: postgres.url,
      RABBITMQ_URL: rabbit.url,
      RabbitMQConnection: rabbit.url,
    };
    const functionsUrl = `http://127.0.0.1:${ports.functions}`;
    const bridgeUrl = `http://127.0.0.1:${ports.bridge}`;
    const dashboardUrl = `http://localhost:${ports.dashboard}`;

    const host = startChild(
      0,
      'functions',
      'dist/host/src/main.js',
      { ...shared, ...secretEnv.functions, PORT: String(ports.functions) },
      ROOT,
    );
    children.push(host);
    await waitForHttp(
      `${functionsUrl}/api/health?code=${encodeURIComponent(credentials.apiKey)}`,
      60_000,
      host,
      () => stopRequested,
    );
    checkStop();
    const bridge = startChild(
      1,
      'bridge',
      'dist/bridge/src/main.js',
      { ...shared, ...secretEnv.bridge, PORT: String(ports.bridge) },
      ROOT,
    );
    children.push(bridge);
    await waitForHttp(`${bridgeUrl}/healthz`, 60_000, bridge, () => stopRequested);
    checkStop();
    const dashboard = startChild(
      2,
      'dashboard',
      'dist/dashboard/server/src/main.js',
      { PORT: String(ports.dashboard), FUNCTIONS_URL: functionsUrl, BRIDGE_URL: bridgeUrl, ...secretEnv.dashboard },
      ROOT,
    );
    children.push(dashboard);
    await waitForHttp(`http://127.0.0.1:${ports.dashboard}/`, 30_000, dashboard, () => stopRequested);
    checkStop();

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
        rabbit.managementUrl
          ? `  RabbitMQ    ${rabbit.managementUrl}  (${brokerLogin(rabbit, credentials)})`
          : `  RabbitMQ    ${rabbit.source}`,
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
    if (error instanceof StopRequested) {
      log('stopped');
      return 0;
    }
    throw error;
  }
}

class StopRequested extends Error {}

/** The banner's hint for the management UI's login; never the password itself. */
function brokerLogin(rabbit: RabbitHandle, credentials: StartCredentials): string {
  if (rabbit.user === credentials.rabbitmq.name) return `user ${rabbit.user}, password in ${credentials.file}`;
  return rabbit.user === 'guest' ? 'guest / guest' : `user ${rabbit.user}`;
}

/** A setting of local.settings.example.json the caller's environment overrides, as a [name, value] entry. */
function given(env: Env, name: string): Array<[string, string]> {
  const value = readEnv.readText(env, settingVariable(name));
  return value === undefined ? [] : [[name, value]];
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof PortTakenError || error instanceof NoBrokerError) console.error(`\n${error.message}`);
    else if (error instanceof ConfigError) console.error(`\nConfiguration error: ${error.message}`);
    else console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
