import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { signPayload, topologyNames } from '../../functions/src';
import { PayloadGenerator, todayUtc } from '../../simulator/src/payloads';
import { RawHttpConnection } from '../harness/rawHttp';
import { CpuMeter, cpuPerThousand, treeCpuSeconds } from './processCpu';
import { startBenchServices } from './services';
import {
  ROOT,
  RABBITMQ_URL,
  adminQuery,
  cpuCalibrationMs,
  groupBy,
  median,
  medianPerKey,
  deleteTopology,
  beforeRoot,
  dropDatabase,
  entryPoint,
  freshDatabase,
  percentile,
  progress,
  startChild,
} from './support';

const HELP = `Usage: npm run bench [-- --duration S] [--connections 16,64] [--hosts bare,ingest,all] [--repeat N] [--shared-services]

Drives POST /webhook on a functions host child process (real Postgres and RabbitMQ) with realistic
payloads, each generated and signed just before it is sent, for S seconds (default 20) at each connection count, then reconciles
200 replies with stored rows. Two host set-ups, in the same run:
  ingest  the host serves webhook, metrics, health and the outbox (store + publish: the durable work)
  all     the host also runs the relay function in the same process (every function, as npm run host)
  bare    the reference: the same durable work on bare node:http + pg + amqplib, one commit per request
          (tools/bench/bare-server.ts; not part of the product)
The load generator keeps one connection per client and writes each request as one buffer
(rawHttp.ts), so it takes as little as it can of the two cores the server shares; the table gives
the CPU each side used. This machine's speed drifts by half within an hour, so every set-up runs --repeat times (default
3), interleaved (bare, ingest, all, bare, ...), and the summary gives the median of each figure and
the ratio of medians to bare, from the same run. Writes bench-results/ingest.json (every run and
the summary) and prints both tables.

CPU per webhook: every run reads from /proc the CPU seconds each process used while under load
(until every stored row is published), per 1,000 acknowledged webhooks: the host, Postgres (every
backend), RabbitMQ (the beam VM), this load generator, and "pipeline", the sum without the load
generator. For that the bench starts a Postgres and a RabbitMQ of its own (embedded Postgres and a
private node on free ports, as npm test does) and stops them at the end; --shared-services (or
BENCH_DATABASE_URL / BENCH_RABBITMQ_URL) uses the machine's instead, without their CPU.`;

const HOST_FUNCTIONS: Record<string, string> = { ingest: 'webhook,metrics,health,outbox', all: '', bare: '' };

/**
 * `ingest@before` and `all@before` run the host compiled in BENCH_BEFORE_ROOT (another checkout,
 * built) in the same run, interleaved with this tree's: an A/B of a change on a machine whose
 * speed drifts within minutes.
 */
function hostScript(setup: string): string {
  if (setup === 'bare') return 'dist/tools/bench/bare-server.js';
  if (!setup.endsWith('@before')) return entryPoint('', 'host');
  return entryPoint(beforeRoot(setup), 'host');
}

const setupFunctions = (setup: string): string | undefined => HOST_FUNCTIONS[setup.replace(/@before$/, '')];

export interface RunResult {
  hostFunctions: string;
  connections: number;
  seconds: number;
  requests: number;
  ok: number;
  errors: Record<string, number>;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  storedRows: number;
  acknowledgedMissing: number;
  publishedRows: number;
  hostRssMb: number;
  /** CPU used during the run, in % of one core: the host under test and this load generator. */
  hostCpuPercent: number;
  loadGeneratorCpuPercent: number;
  /** CPU seconds per 1,000 acknowledged webhooks, by process group, and `pipeline` (all but the load generator). */
  cpuSecondsPer1000: Record<string, number>;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function load(
  url: string,
  connections: number,
  seconds: number,
  secret: string,
  seed: number,
): Promise<{ latencies: number[]; ids: number[]; statuses: Record<string, number>; cpuMs: number }> {
  const target = new URL('/webhook', url);
  const generator = new PayloadGenerator({ seed, mode: 'ticket_created', baseDate: todayUtc() });
  const latencies: number[] = [];
  const ids: number[] = [];
  const statuses: Record<string, number> = {};
  const count = (key: string) => (statuses[key] = (statuses[key] ?? 0) + 1);
  const end = Date.now() + seconds * 1000;
  const cpuBefore = process.cpuUsage();

  const worker = async () => {
    const connection = new RawHttpConnection(target.hostname, Number(target.port));
    try {
      while (Date.now() < end) {
        const body = Buffer.from(generator.next().body);
        const signature = signPayload(secret, body, Math.floor(Date.now() / 1000));
        const head = `POST ${target.pathname} HTTP/1.1\r\nContent-Type: application/json\r\nPetzi-Signature: ${signature}\r\nPetzi-Version: 2\r\nUser-Agent: PETZI webhook`;
        const started = process.hrtime.bigint();
        try {
          const reply = await connection.request(head, body);
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          count(String(reply.status));
          if (reply.status === 200) ids.push((JSON.parse(reply.body) as { id: number }).id);
        } catch (error) {
          count(error instanceof Error ? error.message : String(error));
        }
      }
    } finally {
      connection.close();
    }
  };

  const startedAt = Date.now();
  const ticker = setInterval(
    () => progress(`  ${connections} connections`, Math.min(Date.now() - startedAt, seconds * 1000), seconds * 1000),
    500,
  );
  await Promise.all(Array.from({ length: connections }, worker));
  clearInterval(ticker);
  progress(`  ${connections} connections`, 1, 1);
  const cpu = process.cpuUsage(cpuBefore);
  return { latencies, ids, statuses, cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(HELP);
    return;
  }
  const seconds = Number(arg('--duration', '20'));
  const connectionCounts = arg('--connections', '16,64').split(',').map(Number);
  const setups = arg('--hosts', 'bare,ingest,all').split(',');
  if (setups.some((h) => setupFunctions(h) === undefined))
    throw new Error('--hosts takes bare, ingest, all, ingest@before and/or all@before');
  const repeat = Number(arg('--repeat', '3'));
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat must be a positive integer');
  const runs = Array.from({ length: repeat }, () =>
    setups.flatMap((setup) => connectionCounts.map((connections) => ({ setup, connections }))),
  ).flat();
  if (!(seconds > 0) || connectionCounts.some((c) => !(c > 0)))
    throw new Error('--duration and --connections must be positive numbers');
  const secret = 'bench-secret';
  const results: RunResult[] = [];
  const services = await startBenchServices(process.argv);
  const calibrationBeforeMs = cpuCalibrationMs();
  try {
    for (const [i, { setup, connections }] of runs.entries()) {
      const dbName = `petzi_bench_ingest_${process.pid}_${i}`;
      const databaseUrl = await freshDatabase(dbName);
      const prefix = `bench${process.pid}x${i}`;
      const host = await startChild(hostScript(setup), {
        PORT: '0',
        DATABASE_URL: databaseUrl,
        RABBITMQ_URL,
        PETZI_WEBHOOK_SECRET: secret,
        PETZI_TOPOLOGY_PREFIX: prefix,
        PETZI_FUNCTIONS: setupFunctions(setup) ?? '',
      });
      try {
        console.log(
          `[${i + 1}/${runs.length}] POST /webhook, host "${setup}", ${connections} connections, ${seconds} s`,
        );
        const table = setup === 'bare' ? 'bare_event' : 'webhook_event';
        const meter = new CpuMeter({ host: [host.process.pid as number], ...services.groups }).start();
        const hostCpuBefore = treeCpuSeconds([host.process.pid as number]);
        const { latencies, ids, statuses, cpuMs } = await load(host.url, connections, seconds, secret, 1000 + i);
        const hostCpu = treeCpuSeconds([host.process.pid as number]) - hostCpuBefore;
        // The publishes, their marks and (relay in-process) the projections trail the replies: they are part of each
        // webhook's cost.
        await drained(
          databaseUrl,
          setup.startsWith('all') ? UNRELAYED : `SELECT count(*) AS pending FROM ${table} WHERE published_at IS NULL`,
        );
        const cpuUsed = meter.read();
        const rssKb = host.rssKb();
        await host.stop();
        const stored = await adminQuery<{ id: string; published: boolean }>(
          databaseUrl,
          `SELECT id, published_at IS NOT NULL AS published FROM ${table}`,
        );
        const storedIds = new Set(stored.map((r) => Number(r.id)));
        const sorted = latencies.sort((a, b) => a - b);
        const round = (n: number) => Math.round(n * 100) / 100;
        const { '200': ok = 0, ...errors } = statuses;
        results.push({
          hostFunctions: setup,
          connections,
          seconds,
          requests: latencies.length,
          ok,
          errors,
          requestsPerSecond: Math.round(latencies.length / seconds),
          latencyMs: {
            p50: round(percentile(sorted, 50)),
            p90: round(percentile(sorted, 90)),
            p99: round(percentile(sorted, 99)),
            max: round(sorted[sorted.length - 1] ?? NaN),
          },
          storedRows: stored.length,
          acknowledgedMissing: ids.filter((id) => !storedIds.has(id)).length,
          publishedRows: stored.filter((r) => r.published).length,
          hostRssMb: Math.round(rssKb / 1024),
          hostCpuPercent: Math.round((hostCpu / seconds) * 100),
          loadGeneratorCpuPercent: Math.round(cpuMs / seconds / 10),
          cpuSecondsPer1000: cpuPerThousand(cpuUsed, ok),
        });
      } finally {
        if (host.process.exitCode === null) await host.stop();
        await dropDatabase(dbName);
        await deleteTopology(topologyNames(prefix));
      }
    }
  } finally {
    await services.stop();
  }

  const calibrationMs = { before: calibrationBeforeMs, after: cpuCalibrationMs() };
  const summary = summarise(results);
  mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  const file = path.join(ROOT, 'bench-results', 'ingest.json');
  writeFileSync(
    file,
    `${JSON.stringify({ machine: { cpus: cpus().length, node: process.version }, at: new Date().toISOString(), calibrationMs, repeat, summary, results }, null, 2)}\n`,
  );
  console.log(
    '\nevery run:\nhost    connections  req/s   p50 ms  p99 ms  200s     stored   lost  published  host RSS  host CPU  load CPU',
  );
  for (const r of results) {
    console.log(
      `${r.hostFunctions.padEnd(7)} ${String(r.connections).padEnd(12)} ${String(r.requestsPerSecond).padEnd(7)} ${String(r.latencyMs.p50).padEnd(7)} ${String(r.latencyMs.p99).padEnd(7)} ${String(r.ok).padEnd(8)} ${String(r.storedRows).padEnd(8)} ${String(r.acknowledgedMissing).padEnd(5)} ${String(r.publishedRows).padEnd(10)} ${`${r.hostRssMb} MB`.padEnd(9)} ${`${r.hostCpuPercent}%`.padEnd(9)} ${r.loadGeneratorCpuPercent}%`,
    );
  }
  console.log(
    `\nmedians of ${repeat} run(s) each:\nhost    connections  req/s   ×bare   p50 ms  p99 ms  lost  host CPU`,
  );
  for (const r of summary) {
    console.log(
      `${r.hostFunctions.padEnd(7)} ${String(r.connections).padEnd(12)} ${String(r.requestsPerSecond).padEnd(7)} ${String(r.ratioToBare ?? '-').padEnd(7)} ${String(r.p50Ms).padEnd(7)} ${String(r.p99Ms).padEnd(7)} ${String(r.lost).padEnd(5)} ${r.hostCpuPercent}%`,
    );
  }
  console.log(
    `\nCPU seconds per 1,000 webhooks, medians (pipeline = all but the load generator):\n${cpuTable(summary)}`,
  );
  console.log(`\nCPU calibration (support.ts): ${calibrationMs.before} ms before, ${calibrationMs.after} ms after`);
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
}

const UNRELAYED = `SELECT count(*) AS pending FROM webhook_event w
  WHERE w.published_at IS NULL OR NOT EXISTS (SELECT 1 FROM live_event l WHERE l.webhook_id = w.id)`;

/** Waits (at most 10 s) until the count of work still pending after the load is 0. */
async function drained(databaseUrl: string, pendingSql: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const [row] = await adminQuery<{ pending: string }>(databaseUrl, pendingSql);
    if (Number(row.pending) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The summary's CPU per 1,000 webhooks as a text table, one column per process group. */
function cpuTable(summary: SummaryRow[]): string {
  const groups = [...new Set(summary.flatMap((r) => Object.keys(r.cpuSecondsPer1000)))];
  const lines = [['host', 'connections', ...groups].map((h) => h.padEnd(15)).join('')];
  for (const r of summary)
    lines.push(
      [r.hostFunctions, String(r.connections), ...groups.map((g) => String(r.cpuSecondsPer1000[g] ?? '-'))]
        .map((c) => c.padEnd(15))
        .join(''),
    );
  return lines.join('\n');
}

export interface SummaryRow {
  hostFunctions: string;
  connections: number;
  runs: number;
  requestsPerSecond: number;
  /** Median req/s over bare's median req/s at the same connections; null without bare runs. */
  ratioToBare: number | null;
  p50Ms: number;
  p99Ms: number;
  /** Acknowledged webhooks missing from the table, summed over every run (must be 0). */
  lost: number;
  hostCpuPercent: number;
  /** Median CPU seconds per 1,000 webhooks of each process group over the runs. */
  cpuSecondsPer1000: Record<string, number>;
}

/** One row per set-up and connection count: the median of each figure over its runs. */
export function summarise(results: RunResult[]): SummaryRow[] {
  const rows = groupBy(results, (r) => `${r.hostFunctions}/${r.connections}`).map((group) => ({
    hostFunctions: group[0].hostFunctions,
    connections: group[0].connections,
    runs: group.length,
    requestsPerSecond: Math.round(median(group.map((r) => r.requestsPerSecond))),
    ratioToBare: null as number | null,
    p50Ms: Math.round(median(group.map((r) => r.latencyMs.p50)) * 100) / 100,
    p99Ms: Math.round(median(group.map((r) => r.latencyMs.p99)) * 100) / 100,
    lost: group.reduce((sum, r) => sum + r.acknowledgedMissing, 0),
    hostCpuPercent: Math.round(median(group.map((r) => r.hostCpuPercent))),
    cpuSecondsPer1000: medianPerKey(group.map((r) => r.cpuSecondsPer1000)),
  }));
  for (const row of rows) {
    const bare = rows.find((b) => b.hostFunctions === 'bare' && b.connections === row.connections);
    if (bare && row.hostFunctions !== 'bare')
      row.ratioToBare = Math.round((row.requestsPerSecond / bare.requestsPerSecond) * 100) / 100;
  }
  return rows;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
