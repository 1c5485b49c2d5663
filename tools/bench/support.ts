import * as amqp from 'amqplib';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import {
  AMQP_PROTOCOLS,
  declareVariables,
  FUNCTION_VARIABLES,
  POSTGRES_PROTOCOLS,
  readEnv,
  TOPOLOGY_VARIABLES,
  type TopologyNames,
  KEY_HEADER,
  randomSecret,
} from '../../functions/src';
import { PROVISION_VARIABLES } from '../provision/environment';

/** The project root, from both the compiled (dist/tools/bench) and the source (tools/bench) file. */
export const ROOT = ((): string => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no package.json above ${__dirname}`);
})();

/** What the benches read (their --help says when each applies). */
export const BENCH_VARIABLES = declareVariables({
  BENCH_DATABASE_URL: {
    kind: 'url',
    aliases: ['TEST_DATABASE_URL'],
    protocols: POSTGRES_PROTOCOLS,
    default: 'postgres://postgres:postgres@127.0.0.1:5432/postgres',
    meaning: "use this Postgres (an admin URL) instead of the bench's own embedded one; its CPU is then not measured",
  },
  BENCH_RABBITMQ_URL: {
    kind: 'url',
    aliases: ['TEST_RABBITMQ_URL'],
    protocols: AMQP_PROTOCOLS,
    default: 'amqp://guest:guest@127.0.0.1:5672',
    meaning: "use this RabbitMQ instead of the bench's own private node; its CPU is then not measured",
  },
  BENCH_BEFORE_ROOT: {
    kind: 'string',
    meaning: 'a built checkout of the code to compare with: the @before set-ups and bench:fanout --before run it',
  },
  BENCH_ROOTS: {
    kind: 'list',
    meaning:
      'more built checkouts to compare with, as label=path pairs: a set-up named one@label runs the one of that label',
  },
  BENCH_CHILD_NODE_FLAGS: {
    kind: 'string',
    meaning: 'node flags for the processes a bench starts, e.g. --cpu-prof --cpu-prof-dir=DIR',
  },
  CHROMIUM_PATH: { ...PROVISION_VARIABLES.CHROMIUM_PATH, default: '/usr/bin/chromium', unset: undefined },
});

/** The bare reference server, a child of npm run bench: it reads these and the functions' variables. */
export const BARE_SERVER_VARIABLES = declareVariables({
  PORT: { kind: 'port', default: 0, meaning: 'the port it listens on, 0 for any free one' },
  PETZI_TOPOLOGY_PREFIX: {
    ...TOPOLOGY_VARIABLES.PETZI_TOPOLOGY_PREFIX,
    default: 'bare',
    meaning: 'prefix of its exchange',
  },
  ...FUNCTION_VARIABLES,
});

export let ADMIN_DATABASE_URL = readEnv.read(process.env, BENCH_VARIABLES.BENCH_DATABASE_URL);
export let RABBITMQ_URL = readEnv.read(process.env, BENCH_VARIABLES.BENCH_RABBITMQ_URL);

/** BENCH_BEFORE_ROOT, or the error that names it for the set-up that needs it. */
export function beforeRoot(setup: string): string {
  const root = readEnv.read(process.env, BENCH_VARIABLES.BENCH_BEFORE_ROOT);
  if (root === undefined)
    throw new Error(`${setup} needs BENCH_BEFORE_ROOT: a built checkout of the code to compare with`);
  return root;
}

/** The checkout a set-up named layout@label runs: BENCH_BEFORE_ROOT for "before", else BENCH_ROOTS's pair. */
export function labelledRoot(setup: string, label: string): string {
  if (label === 'before') return beforeRoot(setup);
  const pairs = readEnv.read(process.env, BENCH_VARIABLES.BENCH_ROOTS);
  const pair = pairs.find((item) => item.startsWith(`${label}=`));
  if (pair === undefined || pair.length === label.length + 1)
    throw new Error(`${setup} needs BENCH_ROOTS to hold ${label}=<a built checkout of the code to compare with>`);
  return pair.slice(label.length + 1);
}

/** Points every bench helper (and the fault stack) at a bench's own services (services.ts). */
export function useServices(adminDatabaseUrl: string, rabbitmqUrl: string): void {
  ADMIN_DATABASE_URL = adminDatabaseUrl;
  RABBITMQ_URL = rabbitmqUrl;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Items grouped by key, groups in order of first appearance. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The median of each key over the records that have it, to 3 decimals. */
export function medianPerKey(records: Array<Record<string, number>>): Record<string, number> {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(
    keys.map((key) => [key, Math.round(median(records.flatMap((r) => (key in r ? [r[key]] : []))) * 1000) / 1000]),
  );
}

/**
 * Milliseconds this process takes for a fixed amount of integer arithmetic. These machines'
 * speed drifts (the same loop took 660 to 1,030 ms within ten seconds): results files record it
 * before and after a bench, so runs of different hours can be told apart.
 */
export function cpuCalibrationMs(): number {
  const started = process.hrtime.bigint();
  let x = 0;
  for (let i = 0; i < 100_000_000; i += 1) x = (x + i) % 1_000_003;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // x is used so the loop cannot be optimised away.
  return Math.round(ms + (x < 0 ? 1 : 0));
}

export async function adminQuery<R extends Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function freshDatabase(name: string): Promise<string> {
  await adminQuery(ADMIN_DATABASE_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await adminQuery(ADMIN_DATABASE_URL, `CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(ADMIN_DATABASE_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/**
 * The read key of every pipeline a bench or the fault suite starts (reads are private by default):
 * each child gets it as PETZI_API_KEY, and whatever reads /api or /events sends it. One per run,
 * made here so that the children and their readers cannot disagree.
 */
export const API_KEY = randomSecret();

/** The header that carries API_KEY, for every read of /api or /events. */
export function keyHeaders(key = API_KEY): Record<string, string> {
  return { [KEY_HEADER]: key };
}

export interface Child {
  process: ChildProcess;
  url: string;
  rssKb(): number;
  stop(): Promise<number | null>;
}

/**
 * The compiled entry point of the host or the bridge in a checkout (root: '' for this tree), for
 * the benches' "@before" runs. A checkout from before the tree took its current layout has it
 * under dist/infra/src; the benches run it from there.
 */
export function entryPoint(root: string, part: 'host' | 'bridge'): string {
  const current = path.join(root, 'dist', part, 'src', 'main.js');
  // This tree is always in its own layout: a stale dist/infra left by an old build must not stand in.
  if (root === '') return current;
  const older = path.join(root, 'dist', 'infra', 'src', part, 'main.js');
  return !existsSync(path.resolve(ROOT, current)) && existsSync(path.resolve(ROOT, older)) ? older : current;
}

/** Starts a compiled entry point, its reads closed but to API_KEY, and waits for its "listening on <url>" line. */
export async function startChild(script: string, env: Record<string, string>): Promise<Child> {
  const nodeFlags = (readEnv.read(process.env, BENCH_VARIABLES.BENCH_CHILD_NODE_FLAGS) ?? '')
    .split(' ')
    .filter(Boolean);
  const child = spawn(process.execPath, [...nodeFlags, path.resolve(ROOT, script)], {
    env: { ...process.env, PETZI_API_KEY: API_KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start: ${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}: ${output}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    url,
    rssKb: () => {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return match ? Number(match[1]) : NaN;
    },
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A text progress line on a terminal, nothing otherwise. */
export function progress(label: string, done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(
    `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round((done / total) * 100)}%`,
  );
  if (done >= total) process.stderr.write('\n');
}

/** A port nothing listens on right now. */
export { freePort } from '../provision/ports';

/** Deletes the queues and exchanges of a prefixed topology (a test's or a benchmark's). */
export async function deleteTopology(names: TopologyNames, url = RABBITMQ_URL): Promise<void> {
  const connection = await amqp.connect(url);
  const remove = async (work: (channel: amqp.Channel) => Promise<unknown>) => {
    // A failed delete closes its channel, so each one gets its own.
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    await work(channel).catch(() => undefined);
    await channel.close().catch(() => undefined);
  };
  try {
    for (const queue of [names.relayQueue, names.relayDeadLetterQueue]) await remove((ch) => ch.deleteQueue(queue));
    for (const exchange of [names.webhookExchange, names.deadLetterExchange, names.liveExchange])
      await remove((ch) => ch.deleteExchange(exchange));
  } finally {
    await connection.close();
  }
}
