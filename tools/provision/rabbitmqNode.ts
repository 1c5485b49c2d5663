import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { amqpAnswers, httpAnswers, waitFor } from './answers';
import { isExecutable } from './executable';
import { shownPath, type Log } from './log';
import { requireFreePort } from './ports';
import { ensureDataDir, securePrivateDir } from './privateDir';
import { brokerUrl, pipelineDefinitions, type BrokerUser } from './rabbitmqUser';

/** The user Debian's rabbitmq-server wrapper runs the node as when started by root. */
const SERVICE_USER = 'rabbitmq';
const GUEST: BrokerUser = { name: 'guest', password: 'guest' };

export interface PrivateNode {
  url: string;
  managementUrl: string;
  stop(): Promise<void>;
}

export interface PrivateNodeOptions {
  /** The node keeps its data in dataDir/rabbitmq. */
  dataDir: string;
  /** AMQP port; the management UI takes port + 10000, the Erlang distribution + 20000, its epmd + 30000. */
  port: number;
  user: BrokerUser;
  log: Log;
}

/** Writes a file only its owner reads. */
function writePrivate(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
}

/**
 * A RabbitMQ node of an installed rabbitmq-server, on ports of its own and loopback only, with
 * its data in dataDir/rabbitmq (0700, owned by the user that runs it, files 0600). Its one user is
 * `user`, loaded from definitions at every boot; a node made by an earlier version still has
 * guest/guest, which is deleted.
 */
export async function startPrivateNode(
  server: string,
  { dataDir, port, user, log }: PrivateNodeOptions,
): Promise<PrivateNode> {
  if (port + 30_000 > 65_535)
    throw new Error(
      `RABBITMQ_PORT must be at most 35535 (a private node also takes it + 10000, + 20000 and + 30000), got ${port}`,
    );
  await requireFreePort(port, 'private RabbitMQ node', 'RABBITMQ_PORT');
  const managementPort = port + 10_000;
  await requireFreePort(managementPort, 'private RabbitMQ management UI', 'RABBITMQ_PORT');
  // An epmd of its own, on a port of its own: one on 4369 would outlive the node (and may be
  // someone else's), and stopping it is then not ours to do.
  const epmdPort = port + 30_000;
  await requireFreePort(epmdPort, 'private RabbitMQ epmd', 'RABBITMQ_PORT');

  ensureDataDir(dataDir);
  const base = path.join(dataDir, 'rabbitmq');
  mkdirSync(path.join(base, 'mnesia'), { recursive: true, mode: 0o700 });
  mkdirSync(path.join(base, 'log'), { recursive: true, mode: 0o700 });
  const pluginsFile = path.join(base, 'enabled_plugins');
  const definitionsFile = path.join(base, 'definitions.json');
  const configFile = path.join(base, 'rabbitmq.conf');
  writePrivate(pluginsFile, '[rabbitmq_management].\n');
  writePrivate(definitionsFile, `${JSON.stringify(pipelineDefinitions(user), null, 2)}\n`);
  // Its own configuration file, so that a system broker's /etc/rabbitmq/rabbitmq.conf does not apply.
  // Loading definitions at boot keeps a new node from creating guest.
  writePrivate(configFile, [`load_definitions = ${definitionsFile}`, 'loopback_users.guest = true', ''].join('\n'));
  // Debian's wrapper re-executes as the rabbitmq user when started by root: it must own the folder.
  securePrivateDir(base, SERVICE_USER);

  const nodeName = `petzi-${port}@localhost`;
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(port + 20_000),
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_MNESIA_BASE: path.join(base, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(base, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: pluginsFile,
    RABBITMQ_CONFIG_FILE: configFile,
    // Loopback only, like every other process of the project.
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: `-rabbitmq_management tcp_config [{port,${managementPort}},{ip,"127.0.0.1"}] -kernel inet_dist_use_interface {127,0,0,1}`,
  };
  log(`RabbitMQ: starting a private node ${nodeName} on port ${port} (data in ${shownPath(base)})`);
  // Its own session: a Ctrl-C or a hang-up meant for us must not reach the Erlang VM directly.
  // umask 077: what the node writes (its message store holds buyers' names) is its user's alone;
  // Debian's wrapper keeps the umask when it switches to the rabbitmq user.
  const child = spawn('/bin/sh', ['-c', 'umask 077 && exec "$0"', server], { env, stdio: 'ignore', detached: true });
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => ((gone = true), resolve())));
  const ctlPath = path.join(path.dirname(server), 'rabbitmqctl');
  const ctl = (args: string[]) =>
    spawnSync(isExecutable(ctlPath) ? ctlPath : 'rabbitmqctl', ['-n', nodeName, ...args], {
      env,
      stdio: 'ignore',
      timeout: 60_000,
    });
  let stopping = false;
  const stop = async () => {
    stopping = true;
    if (gone) return;
    ctl(['stop']);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    spawnSync('epmd', ['-port', String(epmdPort), '-kill'], {
      env: { ...env, PATH: `${process.env.PATH ?? ''}:/usr/lib/erlang/bin` },
      stdio: 'ignore',
      timeout: 10_000,
    });
  };
  const managementUrl = `http://127.0.0.1:${managementPort}`;
  // The management plugin boots after the AMQP listener; tests that read queues need both.
  // An AMQP handshake, not a TCP connect: only the broker itself can answer it.
  const url = brokerUrl(user, port);
  const up = async (check: () => Promise<boolean>, timeoutMs: number) =>
    waitFor(async () => gone || (await check()), timeoutMs);
  if (
    !(await up(() => amqpAnswers(url), 90_000)) ||
    !(await up(() => httpAnswers(`${managementUrl}/`), 60_000)) ||
    gone
  ) {
    const why = gone ? 'exited while starting' : `did not answer on ports ${port} and ${managementPort} in time`;
    await stop();
    throw new Error(`the private RabbitMQ node ${why}; see ${path.join(base, 'log')}`);
  }
  if (await amqpAnswers(brokerUrl(GUEST, port))) {
    log('RabbitMQ: the private node still had the user guest/guest; deleting it (its user is now the generated one)');
    if (ctl(['delete_user', GUEST.name]).status !== 0)
      log(`RabbitMQ: deleting guest failed; delete it by hand: rabbitmqctl -n ${nodeName} delete_user guest`);
  }
  // A node that dies later is said at once, with where its log is, rather than seen only as refused connections.
  void exited.then(() => {
    if (!stopping) log(`RabbitMQ: the private node ${nodeName} exited unexpectedly; see ${path.join(base, 'log')}`);
  });
  return { url, managementUrl, stop };
}
