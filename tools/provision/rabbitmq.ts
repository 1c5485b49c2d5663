import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { readEnv } from '../../functions/src';
import { amqpAnswers, httpAnswers, waitFor } from './answers';
import { PROVISION_VARIABLES } from './environment';
import { isExecutable } from './executable';
import { dockerEngineAnswers, localImage, runContainer } from './docker';
import { installSystemPackage, rootCommandPrefix, type InstallOptions } from './install';
import type { Log } from './log';
import { isPortFree, requireFreePort } from './ports';
import { startPrivateNode } from './rabbitmqNode';
import { brokerUrl, loginOf, pipelineDefinitions, type BrokerUser } from './rabbitmqUser';

export { amqpAnswers } from './answers';

export interface RabbitHandle {
  url: string;
  /** The management UI, when one answers. */
  managementUrl: string | null;
  source: 'RABBITMQ_URL' | 'local broker' | 'private node' | 'container';
  /** The user name in url. */
  user: string;
  stop(): Promise<void>;
}

export class NoBrokerError extends Error {
  override name = 'NoBrokerError';
  constructor(probed: string | undefined) {
    super(
      [
        `No RabbitMQ broker found: ${probed === undefined ? '' : `nothing answers at ${probed}, `}no rabbitmq-server is installed, no Docker engine with a rabbitmq image answers, and installing one was off or not possible here (it needs root or password-less sudo on Debian/Ubuntu, or Homebrew).`,
        'Get one in any of these ways, then run the command again:',
        '  - Debian/Ubuntu: sudo apt-get install rabbitmq-server   (a private node is then started and stopped for you)',
        '  - Docker:        docker run -d -p 5672:5672 -p 15672:15672 rabbitmq:3-management',
        '  - an existing broker: RABBITMQ_URL=amqp://user:pass@host:5672 npm start   (TEST_RABBITMQ_URL for npm test)',
      ].join('\n'),
    );
  }
}

export const RABBITMQ_PACKAGE = { what: 'RabbitMQ', apt: 'rabbitmq-server', brew: 'rabbitmq' };

/** The ports of a private node on `port`: AMQP, management UI, Erlang distribution, its own epmd. */
export function nodePorts(port: number): number[] {
  return [port, port + 10_000, port + 20_000, port + 30_000];
}

/**
 * A port p whose nodePorts(p) are all free. The two ports clients connect to (AMQP and the
 * management UI) stay below Linux's ephemeral range (32768 and up): there, an outgoing socket of
 * any process on the machine may hold the port, and a connect to a port nobody listens on yet can
 * even succeed against itself (a TCP self-connect), so a node would look up before it is.
 */
export async function freeNodePorts(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 12_000 + Math.floor(Math.random() * 10_000);
    const free = await Promise.all(nodePorts(port).map((p) => isPortFree(p)));
    if (free.every(Boolean)) return port;
  }
  throw new Error('no four free ports found for a private RabbitMQ node');
}

function findServer(env: NodeJS.ProcessEnv): string | null {
  const given = readEnv.read(env, PROVISION_VARIABLES.RABBITMQ_SERVER_BIN);
  if (given !== undefined) return isExecutable(given) ? given : null;
  const dirs = [
    ...(env.PATH ?? '').split(path.delimiter),
    '/usr/sbin',
    '/usr/lib/rabbitmq/bin',
    '/usr/local/sbin',
    '/opt/homebrew/sbin',
  ];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'rabbitmq-server');
    if (dir !== '' && isExecutable(candidate)) return candidate;
  }
  return null;
}

export interface RabbitOptions {
  /** Used as it is, without probing (RABBITMQ_URL). */
  given?: string;
  /**
   * A broker that may already run (port 5672, or TEST_RABBITMQ_URL): the logins to try there, in
   * order, and its management UI.
   */
  probe: { urls: string[]; managementUrl: string };
  /** The one user of a private node or container started here (never guest). */
  user: BrokerUser;
  /**
   * After installing rabbitmq-server, give the system broker the package may have started `user`
   * (npm start, whose user's password is kept); otherwise that broker is used with a probe login.
   */
  adoptInstalledBroker?: boolean;
  /** A private node or container keeps its data in dataDir/rabbitmq. */
  dataDir: string;
  /**
   * AMQP port of a private node or container; its management UI takes port + 10000, a node's Erlang distribution port +
   * 20000.
   */
  port: number;
  install: InstallOptions;
  env: NodeJS.ProcessEnv;
  log: Log;
}

/**
 * In this order: the given URL; a broker answering at a probe URL; a private node of an
 * installed rabbitmq-server (with the management plugin); a container of a local rabbitmq image
 * when a Docker engine answers; Debian's (or Homebrew's) rabbitmq-server installed, then a private
 * node of it; else a NoBrokerError that says how to get one. Every broker started here has one
 * user, options.user, and no guest.
 */
export async function ensureRabbit(options: RabbitOptions): Promise<RabbitHandle> {
  const { given, probe, log } = options;
  if (given) {
    log('RabbitMQ: using RABBITMQ_URL');
    return {
      url: given,
      managementUrl: null,
      source: 'RABBITMQ_URL',
      user: loginOf(given),
      stop: async () => undefined,
    };
  }
  const local = await probeBroker(probe, log);
  if (local) return local;
  const server = findServer(options.env);
  if (server) return privateNode(server, options);
  if (dockerEngineAnswers(options.env)) {
    const image = localImage('rabbitmq', 'management', options.env);
    if (image) return startContainer(image, options);
  }
  if (await installSystemPackage(RABBITMQ_PACKAGE, options.install, log)) {
    // Debian's postinst may have started the system broker on 5672 itself.
    const system = await probeBroker(probe, log);
    if (system)
      return options.adoptInstalledBroker && system.user !== options.user.name
        ? adoptSystemBroker(system, options)
        : system;
    const installed = findServer(options.env);
    if (installed) return privateNode(installed, options);
  }
  throw new NoBrokerError(probe.urls.at(-1)?.replace(/\/\/[^@]*@/, '//'));
}

async function privateNode(server: string, options: RabbitOptions): Promise<RabbitHandle> {
  const node = await startPrivateNode(server, options);
  return { ...node, source: 'private node', user: options.user.name };
}

async function probeBroker(probe: RabbitOptions['probe'], log: Log): Promise<RabbitHandle | null> {
  for (const url of probe.urls) {
    if (!(await amqpAnswers(url))) continue;
    const where = new URL(url);
    log(`RabbitMQ: using the broker on ${where.hostname}:${where.port || 5672} as ${loginOf(url)}`);
    const managementUrl = (await httpAnswers(`${probe.managementUrl}/`)) ? probe.managementUrl : null;
    return { url, managementUrl, source: 'local broker', user: loginOf(url), stop: async () => undefined };
  }
  return null;
}

/**
 * The system broker rabbitmq-server's package started is ours to configure: it gets the pipeline
 * user (rabbitmqctl import_definitions, as root like the install; the definitions go through
 * stdin, so the password hash is never on a command line). When that fails, it is used as it is.
 */
async function adoptSystemBroker(system: RabbitHandle, { user, install, log }: RabbitOptions): Promise<RabbitHandle> {
  const asRoot = rootCommandPrefix(install.env) ?? [];
  const ctl =
    ['/usr/sbin/rabbitmqctl', '/usr/local/sbin/rabbitmqctl', '/opt/homebrew/sbin/rabbitmqctl'].find(isExecutable) ??
    'rabbitmqctl';
  const argv = [...asRoot, ctl, 'import_definitions'];
  const imported = spawnSync(argv[0], argv.slice(1), {
    input: JSON.stringify(pipelineDefinitions(user)),
    stdio: ['pipe', 'ignore', 'ignore'],
    timeout: 60_000,
  });
  const where = new URL(system.url);
  const url = brokerUrl(user, Number(where.port || 5672), where.hostname);
  // The import runs asynchronously inside the broker.
  if (imported.status === 0 && (await waitFor(() => amqpAnswers(url), 30_000))) {
    log(
      `RabbitMQ: the broker rabbitmq-server's package started now has the user ${user.name} (password in credentials.json)`,
    );
    return { ...system, url, user: user.name };
  }
  log(
    `RabbitMQ: giving the installed broker the user ${user.name} failed (${argv.join(' ')}); using it as ${system.user}`,
  );
  return system;
}

async function startContainer(image: string, { port, user, log, env }: RabbitOptions): Promise<RabbitHandle> {
  await requireFreePort(port, 'RabbitMQ container', 'RABBITMQ_PORT');
  const managementPort = port + 10_000;
  await requireFreePort(managementPort, 'RabbitMQ container management UI', 'RABBITMQ_PORT');
  const name = `petzi-rabbitmq-${port}-${process.pid}`;
  log(`RabbitMQ: starting a container ${name} from ${image} on port ${port}`);
  // RabbitMQ itself creates RABBITMQ_DEFAULT_USER instead of guest on a new node (each container
  // is new: --rm). The password goes through the docker CLI's environment, not its command line.
  const stop = runContainer(
    {
      name,
      image,
      ports: [
        [port, 5672],
        [managementPort, 15672],
      ],
      env: { RABBITMQ_DEFAULT_USER: user.name },
      secretEnv: { RABBITMQ_DEFAULT_PASS: user.password },
    },
    env,
  );
  const url = brokerUrl(user, port);
  // docker's port proxy accepts TCP at once: only an AMQP handshake says the broker is up.
  if (!(await waitFor(() => amqpAnswers(url), 120_000))) {
    await stop();
    throw new Error(`the RabbitMQ container ${name} did not answer on port ${port} within 120 s`);
  }
  return { url, managementUrl: `http://127.0.0.1:${managementPort}`, source: 'container', user: user.name, stop };
}
