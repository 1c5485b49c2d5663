import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import * as amqp from 'amqplib';
import { readEnv } from '../../functions/src';
import { PROVISION_VARIABLES } from './environment';
import { isExecutable } from './executable';
import { dockerEngineAnswers, localImage, runContainer } from './docker';
import { installSystemPackage, type InstallOptions } from './install';
import { shownPath, type Log } from './log';
import { isPortFree, requireFreePort } from './ports';

export interface RabbitHandle {
  url: string;
  /** The management UI, when one answers. */
  managementUrl: string | null;
  source: 'RABBITMQ_URL' | 'local broker' | 'private node' | 'container';
  stop(): Promise<void>;
}

export class NoBrokerError extends Error {
  override name = 'NoBrokerError';
  constructor(probed: string) {
    super(
      [
        `No RabbitMQ broker found: nothing answers at ${probed}, no rabbitmq-server is installed, no Docker engine with a rabbitmq image answers, and installing one was off or not possible here (it needs root or password-less sudo on Debian/Ubuntu, or Homebrew).`,
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

export async function amqpAnswers(url: string): Promise<boolean> {
  try {
    const connection = await amqp.connect(url, { timeout: 2000 });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

async function httpAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1500) });
    await response.arrayBuffer();
    return response.status < 500;
  } catch {
    return false;
  }
}

function findServer(env: NodeJS.ProcessEnv): string | null {
  const given = readEnv.read(env, PROVISION_VARIABLES.RABBITMQ_SERVER_BIN);
  if (given !== undefined) return isExecutable(given) ? given : null;
  const dirs = [...(env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/lib/rabbitmq/bin', '/usr/local/sbin', '/opt/homebrew/sbin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'rabbitmq-server');
    if (dir !== '' && isExecutable(candidate)) return candidate;
  }
  return null;
}

export interface RabbitOptions {
  /** Used as it is, without probing (RABBITMQ_URL). */
  given?: string;
  /** A broker that may already run (port 5672, or TEST_RABBITMQ_URL), with its management UI. */
  probe: { url: string; managementUrl: string };
  /** A private node or container keeps its data in dataDir/rabbitmq. */
  dataDir: string;
  /** AMQP port of a private node or container; its management UI takes port + 10000, a node's Erlang distribution port + 20000. */
  port: number;
  install: InstallOptions;
  env: NodeJS.ProcessEnv;
  log: Log;
}

/**
 * In this order: the given URL; a broker answering at the probe URL; a private node of an
 * installed rabbitmq-server (with the management plugin); a container of a local rabbitmq image
 * when a Docker engine answers; Debian's (or Homebrew's) rabbitmq-server installed, then a private
 * node of it; else a NoBrokerError that says how to get one.
 */
export async function ensureRabbit(options: RabbitOptions): Promise<RabbitHandle> {
  const { given, probe, log } = options;
  if (given) {
    log('RabbitMQ: using RABBITMQ_URL');
    return { url: given, managementUrl: null, source: 'RABBITMQ_URL', stop: async () => undefined };
  }
  const local = await probeBroker(probe, log);
  if (local) return local;
  const server = findServer(options.env);
  if (server) return startPrivateNode(server, options);
  if (dockerEngineAnswers(options.env)) {
    const image = localImage('rabbitmq', 'management', options.env);
    if (image) return startContainer(image, options);
  }
  if (await installSystemPackage(RABBITMQ_PACKAGE, options.install, log)) {
    // Debian's postinst may have started the system broker on 5672 itself.
    const system = await probeBroker(probe, log);
    if (system) return system;
    const installed = findServer(options.env);
    if (installed) return startPrivateNode(installed, options);
  }
  throw new NoBrokerError(probe.url.replace(/\/\/[^@]*@/, '//'));
}

async function probeBroker(probe: RabbitOptions['probe'], log: Log): Promise<RabbitHandle | null> {
  if (!(await amqpAnswers(probe.url))) return null;
  const where = new URL(probe.url);
  log(`RabbitMQ: using the broker on ${where.hostname}:${where.port || 5672}`);
  const managementUrl = (await httpAnswers(`${probe.managementUrl}/`)) ? probe.managementUrl : null;
  return { url: probe.url, managementUrl, source: 'local broker', stop: async () => undefined };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function startContainer(image: string, { port, log, env }: RabbitOptions): Promise<RabbitHandle> {
  await requireFreePort(port, 'RabbitMQ container', 'RABBITMQ_PORT');
  const managementPort = port + 10_000;
  await requireFreePort(managementPort, 'RabbitMQ container management UI', 'RABBITMQ_PORT');
  const name = `petzi-rabbitmq-${port}-${process.pid}`;
  log(`RabbitMQ: starting a container ${name} from ${image} on port ${port}`);
  // We reach it through docker's port proxy, which RabbitMQ does not count as loopback: guest
  // must be allowed from there (the official image allows it; Debian's package does not).
  const stop = runContainer(
    {
      name,
      image,
      ports: [
        [port, 5672],
        [managementPort, 15672],
      ],
      env: { RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-rabbit loopback_users []' },
    },
    env,
  );
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  // docker's port proxy accepts TCP at once: only an AMQP handshake says the broker is up.
  if (!(await waitFor(() => amqpAnswers(url), 120_000))) {
    await stop();
    throw new Error(`the RabbitMQ container ${name} did not answer on port ${port} within 120 s`);
  }
  return { url, managementUrl: `http://127.0.0.1:${managementPort}`, source: 'container', stop };
}

async function startPrivateNode(server: string, { dataDir, port, log }: RabbitOptions): Promise<RabbitHandle> {
  if (port + 30_000 > 65_535) throw new Error(`RABBITMQ_PORT must be at most 35535 (a private node also takes it + 10000, + 20000 and + 30000), got ${port}`);
  await requireFreePort(port, 'private RabbitMQ node', 'RABBITMQ_PORT');
  const managementPort = port + 10_000;
  await requireFreePort(managementPort, 'private RabbitMQ management UI', 'RABBITMQ_PORT');
  const base = path.join(dataDir, 'rabbitmq');
  mkdirSync(path.join(base, 'mnesia'), { recursive: true });
  mkdirSync(path.join(base, 'log'), { recursive: true });
  const pluginsFile = path.join(base, 'enabled_plugins');
  writeFileSync(pluginsFile, '[rabbitmq_management].\n');
  // Debian's wrapper re-executes as the rabbitmq user when started by root: it must own the folder.
  if (userInfo().uid === 0) spawnSync('chown', ['-R', 'rabbitmq:rabbitmq', base]);
  const nodeName = `petzi-${port}@localhost`;
  // An epmd of its own, on a port of its own: one on 4369 would outlive the node (and may be
  // someone else's), and stopping it is then not ours to do.
  const epmdPort = port + 30_000;
  await requireFreePort(epmdPort, 'private RabbitMQ epmd', 'RABBITMQ_PORT');
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(port + 20_000),
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_MNESIA_BASE: path.join(base, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(base, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: pluginsFile,
    // Loopback only, like every other process of the project.
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: `-rabbitmq_management tcp_config [{port,${managementPort}},{ip,"127.0.0.1"}] -kernel inet_dist_use_interface {127,0,0,1}`,
  };
  log(`RabbitMQ: starting a private node ${nodeName} on port ${port} (data in ${shownPath(base)})`);
  // Its own session: a Ctrl-C or a hang-up meant for us must not reach the Erlang VM directly.
  const child = spawn(server, [], { env, stdio: 'ignore', detached: true });
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => ((gone = true), resolve())));
  const ctl = path.join(path.dirname(server), 'rabbitmqctl');
  let stopping = false;
  const stop = async () => {
    stopping = true;
    if (gone) return;
    spawnSync(isExecutable(ctl) ? ctl : 'rabbitmqctl', ['-n', nodeName, 'stop'], { env, stdio: 'ignore', timeout: 60_000 });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    spawnSync('epmd', ['-port', String(epmdPort), '-kill'], { env: { ...env, PATH: `${process.env.PATH ?? ''}:/usr/lib/erlang/bin` }, stdio: 'ignore', timeout: 10_000 });
  };
  const managementUrl = `http://127.0.0.1:${managementPort}`;
  // The management plugin boots after the AMQP listener; tests that read queues need both.
  // An AMQP handshake, not a TCP connect: only the broker itself can answer it.
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  const up = async (check: () => Promise<boolean>, timeoutMs: number) => waitFor(async () => gone || (await check()), timeoutMs);
  if (!(await up(() => amqpAnswers(url), 90_000)) || !(await up(() => httpAnswers(`${managementUrl}/`), 60_000)) || gone) {
    const why = gone ? 'exited while starting' : `did not answer on ports ${port} and ${managementPort} in time`;
    await stop();
    throw new Error(`the private RabbitMQ node ${why}; see ${path.join(base, 'log')}`);
  }
  // A node that dies later is said at once, with where its log is, rather than seen only as refused connections.
  void exited.then(() => {
    if (!stopping) log(`RabbitMQ: the private node ${nodeName} exited unexpectedly; see ${path.join(base, 'log')}`);
  });
  return { url, managementUrl, source: 'private node', stop };
}
