import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import * as amqp from 'amqplib';
import { requireFreePort, waitForTcp } from './ports';

export interface RabbitHandle {
  url: string;
  /** The management UI, when one answers. */
  managementUrl: string | null;
  source: 'RABBITMQ_URL' | 'local broker' | 'private node';
  stop(): Promise<void>;
}

export class NoBrokerError extends Error {
  override name = 'NoBrokerError';
  constructor() {
    super(
      [
        'No RabbitMQ broker found: RABBITMQ_URL is not set, nothing answers on 127.0.0.1:5672, and no rabbitmq-server is installed.',
        'Get one in any of these ways, then run npm start again:',
        '  - Debian/Ubuntu: sudo apt-get install rabbitmq-server   (npm start then runs a private node itself)',
        '  - Docker:        docker run -d -p 5672:5672 -p 15672:15672 rabbitmq:3-management',
        '  - an existing broker: RABBITMQ_URL=amqp://user:pass@host:5672 npm start',
      ].join('\n'),
    );
  }
}

async function answers(url: string): Promise<boolean> {
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
    return response.status < 500;
  } catch {
    return false;
  }
}

function findServer(env: NodeJS.ProcessEnv): string | null {
  if (env.RABBITMQ_SERVER_BIN !== undefined) return isExecutable(env.RABBITMQ_SERVER_BIN) ? env.RABBITMQ_SERVER_BIN : null;
  const dirs = [...(env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/lib/rabbitmq/bin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'rabbitmq-server');
    if (dir !== '' && isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * RABBITMQ_URL when set; else the local broker on the default port if it answers; else a
 * rabbitmq-server found on this machine, started as a private node with its own data folder
 * and ports; else a clear message on how to get one.
 */
export async function ensureRabbit(env: NodeJS.ProcessEnv, dataDir: string, port: number, log: (m: string) => void): Promise<RabbitHandle> {
  if (env.RABBITMQ_URL) {
    log('RabbitMQ: using RABBITMQ_URL');
    return { url: env.RABBITMQ_URL, managementUrl: null, source: 'RABBITMQ_URL', stop: async () => undefined };
  }
  const localPort = Number(env.RABBITMQ_LOCAL_PORT ?? 5672);
  const local = `amqp://guest:guest@127.0.0.1:${localPort}`;
  if (await answers(local)) {
    log(`RabbitMQ: using the local broker on port ${localPort}`);
    const management = (await httpAnswers('http://127.0.0.1:15672/')) ? 'http://127.0.0.1:15672' : null;
    return { url: local, managementUrl: management, source: 'local broker', stop: async () => undefined };
  }
  const server = findServer(env);
  if (!server) throw new NoBrokerError();
  return startPrivateNode(server, dataDir, port, log);
}

async function startPrivateNode(server: string, dataDir: string, port: number, log: (m: string) => void): Promise<RabbitHandle> {
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
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(port + 20_000),
    RABBITMQ_MNESIA_BASE: path.join(base, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(base, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: pluginsFile,
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: `-rabbitmq_management tcp_config [{port,${managementPort}}]`,
  };
  log(`RabbitMQ: starting a private node ${nodeName} on port ${port} (data in ${path.relative(process.cwd(), base) || base})`);
  // Its own process group: a Ctrl-C meant for npm start must not reach the Erlang VM directly.
  const child = spawn(server, [], { env, stdio: 'ignore', detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (!(await waitForTcp(port, 90_000))) {
    child.kill('SIGKILL');
    throw new Error(`the private RabbitMQ node did not open port ${port} within 90 s; see ${path.join(base, 'log')}`);
  }
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  const ctl = path.join(path.dirname(server), 'rabbitmqctl');
  return {
    url,
    managementUrl: `http://127.0.0.1:${managementPort}`,
    source: 'private node',
    async stop() {
      spawnSync(isExecutable(ctl) ? ctl : 'rabbitmqctl', ['-n', nodeName, 'stop'], { env, stdio: 'ignore', timeout: 60_000 });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
