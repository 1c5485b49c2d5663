import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Pool, type PoolClient } from 'pg';
import { checkPayload, insertWebhookEvents, migrate, relayBatch, type RelayClaim } from '../../functions/src';
import { PayloadGenerator, todayUtc } from '../../simulator/src/payloads';
import { treeCpuSeconds } from './processCpu';
import { startBenchServices } from './services';
import { ROOT, cpuCalibrationMs, dropDatabase, freshDatabase, median, progress } from './support';

const HELP = `Usage: npm run bench:relay-sql [-- --batches 1,5,20,100] [--webhooks 2000] [--repeat 3] [--shared-services]

The relay's write alone: relay_batch (one call per relay batch: each message checked against its
stored webhook, whose payload is read and projected, live events numbered under the live_event
lock, the ticket projection by the ticket's history) through the relay's own code
(relayBatch), on one connection, at each batch size. For every batch size and round: a fresh
database with --webhooks stored webhooks (creations and updates, as the simulator's mixed mode
sends them), relayed once in batches of that size, then relayed again (every one a redelivery).

Prints and writes bench-results/relay-sql.json: for each batch size, the median over the rounds
of the backend's CPU per webhook (from /proc, the backend's own process) and of the wall time per
webhook, fresh and redelivered. The rounds are interleaved over the batch sizes.

It starts an embedded Postgres of its own (the one the other benches use); --shared-services (or
BENCH_DATABASE_URL) uses the machine's, which must run on this machine for its backend's CPU to be
read.`;

export interface RelaySqlOptions {
  batches: number[];
  webhooks: number;
  repeat: number;
}

const FLAGS = ['--batches', '--webhooks', '--repeat'] as const;

/** The command line, checked whole: an unknown or incomplete argument is an error that names it. */
/** The most webhooks one run may insert. */
export const MAX_WEBHOOKS = 1_000_000;

export function parseRelaySqlArgs(
  argv: readonly string[],
): { kind: 'help' } | { kind: 'run'; options: RelaySqlOptions } {
  if (argv.includes('--help')) return { kind: 'help' };
  const values: Record<(typeof FLAGS)[number], string> = {
    '--batches': '1,5,20,100',
    '--webhooks': '2000',
    '--repeat': '3',
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (flag === '--shared-services') continue;
    if (!(FLAGS as readonly string[]).includes(flag)) throw new Error(`unknown argument "${flag}" (see --help)`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value (see --help)`);
    values[flag as (typeof FLAGS)[number]] = value;
    i += 1;
  }
  const ints = (flag: (typeof FLAGS)[number], max: number, list: boolean): number[] => {
    const parts = values[flag].split(',');
    const numbers = parts.map((p) => (/^\s*\d+\s*$/.test(p) ? Number(p) : NaN));
    if ((!list && parts.length !== 1) || numbers.some((n) => !Number.isSafeInteger(n) || n < 1 || n > max)) {
      throw new Error(
        `${flag} takes ${list ? 'integers from 1' : 'an integer from 1'} to ${max}${list ? ', comma-separated' : ''} (got "${values[flag]}")`,
      );
    }
    return numbers;
  };
  const batches = ints('--batches', 10_000, true);
  const [webhooks] = ints('--webhooks', MAX_WEBHOOKS, false);
  const [repeat] = ints('--repeat', 100, false);
  // Each round first relays five batches unmeasured (see round()): there must be more than that.
  const largest = Math.max(...batches);
  if (webhooks <= largest * 5)
    throw new Error(
      `--webhooks ${webhooks} leaves nothing to measure at batch ${largest}: give more than ${largest * 5}`,
    );
  return { kind: 'run', options: { batches, webhooks, repeat } };
}

interface Round {
  batch: number;
  freshCpuUs: number;
  freshWallUs: number;
  redeliveredCpuUs: number;
  redeliveredWallUs: number;
}

/**
 * Stores ticket webhook bodies (one group commit) and returns the claim of each, in order: what the relay would hand
 * relay_batch.
 */
export async function storedRelayClaims(pool: Pool, bodies: readonly string[]): Promise<RelayClaim[]> {
  const checked = bodies.map((body) => {
    const check = checkPayload(JSON.parse(body) as Record<string, unknown>);
    if (check.kind !== 'ticket') throw new Error(`not a ticket event: ${check.kind}`);
    return { body, check };
  });
  const hashes = bodies.map((body) => createHash('sha256').update(body).digest('hex'));
  const refs = await insertWebhookEvents(
    pool,
    checked.map(({ body, check }, i) => ({
      eventType: check.event,
      bodySha256: hashes[i],
      signatureTimestamp: new Date(),
      payloadJson: body,
    })),
  );
  return refs.map((ref, i) => ({ id: ref.id, bodySha256: hashes[i] }));
}

/**
 * The claims of `count` stored webhooks (creations and updates, as the simulator's mixed mode sends them), in id order.
 */
async function storedClaims(pool: Pool, count: number, seed: number): Promise<RelayClaim[]> {
  const generator = new PayloadGenerator({ seed, mode: 'mixed', baseDate: todayUtc() });
  const claims: RelayClaim[] = [];
  while (claims.length < count) {
    const bodies = Array.from({ length: Math.min(200, count - claims.length) }, () => generator.next().body);
    claims.push(...(await storedRelayClaims(pool, bodies)));
  }
  return claims;
}

/**
 * Relays every input in batches of `batch` on one connection; CPU of that connection's backend and wall time, per
 * webhook, in µs.
 */
async function relayAll(
  client: PoolClient,
  backendPid: number,
  inputs: RelayClaim[],
  batch: number,
): Promise<{ cpuUs: number; wallUs: number }> {
  // relayBatch takes a pool; one client keeps every call on the backend measured.
  const onClient = { query: client.query.bind(client) } as unknown as Pool;
  const cpuBefore = treeCpuSeconds([backendPid]);
  const started = process.hrtime.bigint();
  for (let i = 0; i < inputs.length; i += batch) await relayBatch(onClient, inputs.slice(i, i + batch), new Date());
  const wallUs = Number(process.hrtime.bigint() - started) / 1e3 / inputs.length;
  return { cpuUs: ((treeCpuSeconds([backendPid]) - cpuBefore) * 1e6) / inputs.length, wallUs };
}

async function round(batch: number, webhooks: number, seed: number): Promise<Round> {
  const name = `petzi_relay_sql_${process.pid}_${batch}_${seed}`;
  const pool = new Pool({ connectionString: await freshDatabase(name), max: 2 });
  try {
    await migrate(pool);
    const inputs = await storedClaims(pool, webhooks, seed);
    const client = await pool.connect();
    try {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // A few batches first: the backend's first calls plan and cache what the rest reuse.
      await relayAll(client, rows[0].pid, inputs.slice(0, Math.min(inputs.length, batch * 5)), batch);
      const rest = inputs.slice(Math.min(inputs.length, batch * 5));
      const fresh = await relayAll(client, rows[0].pid, rest, batch);
      const redelivered = await relayAll(client, rows[0].pid, rest, batch);
      return {
        batch,
        freshCpuUs: fresh.cpuUs,
        freshWallUs: fresh.wallUs,
        redeliveredCpuUs: redelivered.cpuUs,
        redeliveredWallUs: redelivered.wallUs,
      };
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
    await dropDatabase(name);
  }
}

async function main(): Promise<void> {
  const parsed = parseRelaySqlArgs(process.argv.slice(2));
  if (parsed.kind === 'help') {
    console.log(HELP);
    return;
  }
  const { batches, webhooks, repeat } = parsed.options;
  const services = await startBenchServices(process.argv, { rabbitmq: false });
  try {
    const calibrationBefore = cpuCalibrationMs();
    const rounds: Round[] = [];
    const total = repeat * batches.length;
    for (let r = 0; r < repeat; r += 1) {
      for (const batch of batches) {
        progress('relay_batch', rounds.length, total);
        rounds.push(await round(batch, webhooks, r + 1));
      }
    }
    progress('relay_batch', total, total);
    const summary = batches.map((batch) => {
      const mine = rounds.filter((r) => r.batch === batch);
      const med = (key: keyof Round) => Math.round(median(mine.map((r) => r[key])));
      return {
        batch,
        freshCpuUs: med('freshCpuUs'),
        freshWallUs: med('freshWallUs'),
        redeliveredCpuUs: med('redeliveredCpuUs'),
        redeliveredWallUs: med('redeliveredWallUs'),
      };
    });
    const calibrationAfter = cpuCalibrationMs();
    console.log(
      `\nrelay_batch, µs per webhook, medians of ${repeat} rounds of ${webhooks} webhooks (backend CPU from /proc; wall on one connection):`,
    );
    console.log('batch  fresh CPU  fresh wall  redelivered CPU  redelivered wall');
    for (const s of summary) {
      console.log(
        `${String(s.batch).padEnd(6)} ${String(s.freshCpuUs).padStart(9)}  ${String(s.freshWallUs).padStart(10)}  ${String(s.redeliveredCpuUs).padStart(15)}  ${String(s.redeliveredWallUs).padStart(16)}`,
      );
    }
    console.log(`\nCPU calibration (support.ts): ${calibrationBefore} ms before, ${calibrationAfter} ms after`);
    mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
    const file = path.join(ROOT, 'bench-results', 'relay-sql.json');
    writeFileSync(
      file,
      `${JSON.stringify({ at: new Date().toISOString(), webhooks, repeat, calibrationMs: { before: calibrationBefore, after: calibrationAfter }, summary, rounds }, null, 2)}\n`,
    );
    console.log(`written to ${path.relative(process.cwd(), file)}`);
  } finally {
    await services.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`bench:relay-sql: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
