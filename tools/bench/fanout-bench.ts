import * as amqp from 'amqplib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import {
  declareTopology,
  topologyNames,
  migrate,
  encodeLiveBatch,
  LIVE_BATCH_CONTENT_TYPE,
  LIVE_BATCH_TYPE,
} from '../../functions/src';
import { openRawSse, type RawSseStream } from '../harness/rawSse';
import { CpuMeter, LOAD_GENERATOR, cpuPerThousand, type ProcessGroups } from './processCpu';
import { startBenchServices } from './services';
import {
  ADMIN_DATABASE_URL,
  RABBITMQ_URL,
  ROOT,
  beforeRoot,
  dropDatabase,
  entryPoint,
  freshDatabase,
  keyHeaders,
  percentile,
  startChild,
  type Child,
} from './support';

const HELP = `Usage: npm run bench:fanout [-- --clients N --rate R --duration S] [--shared-services] [--before]

Fan-out through a real SSE bridge (node dist/bridge/src/main.js, a child process):
N concurrent SSE clients (default 1000) in this process, each a raw socket that only looks for
the frames' id lines (tools/harness/rawSse.ts: with node:http's client this process, not the
bridge, was the bottleneck, at a whole core for 1,000 clients at 200 events/s), R events/s
(default 200) for S seconds (default 10) published to petzi.live as the relay does (rows
committed to live_event first). Reports whether every client got every event once and in
order, the publish-to-receipt latency p50/p95/p99, and the bridge's RSS (VmRSS).
Writes bench-results/fanout.json and prints a table. Postgres: BENCH_DATABASE_URL (admin
URL; a scratch database is created and dropped). RabbitMQ: BENCH_RABBITMQ_URL. Without either,
the bench starts a Postgres and a RabbitMQ of its own and reports, from /proc, the CPU seconds per
1,000 events of the bridge, RabbitMQ, Postgres and this process (publisher and clients);
--shared-services uses the machine's instead. --before runs the bridge built in BENCH_BEFORE_ROOT
(another checkout, built) and writes bench-results/fanout.before-code.json.`;

interface Args {
  clients: number;
  rate: number;
  duration: number;
}

function parseArgs(argv: string[]): Args | 'help' {
  const args: Args = { clients: 1000, rate: 200, duration: 10 };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') return 'help';
    if (flag === '--shared-services' || flag === '--before') continue;
    const key = flag.replace(/^--/, '') as keyof Args;
    if (!(key in args) || !flag.startsWith('--')) throw new Error(`unknown option ${flag}`);
    const value = Number(argv[i + 1]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number`);
    args[key] = value;
    i += 1;
  }
  return args;
}

/** One live event body, shaped like the relay's. */
function liveBody(id: number, seq: number): Record<string, unknown> {
  return {
    id,
    seq,
    receivedAt: new Date().toISOString(),
    relayedAt: new Date().toISOString(),
    event: 'ticket_created',
    ticket: {
      number: `FAN${String(id).padStart(9, '0')}`,
      title: 'Fan-out Night',
      event: 'Bench Festival',
      eventId: 4242,
      category: 'Prévente',
      type: 'online_presale',
      price: { amount: '25.00', currency: 'CHF' },
      sessionDate: '2026-12-12',
      city: 'Neuchâtel',
      venue: 'Case à Chocs',
      cancellationReason: '',
      status: 'valid',
    },
  };
}

/** Commits `count` webhooks and their live events up front (the relay commits before it publishes). */
async function commitEvents(
  pool: Pool,
  count: number,
): Promise<Array<{ id: number; seq: number; message: ReturnType<typeof encodeLiveBatch> }>> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO webhook_event (event_type, body_sha256, signature_timestamp, payload)
     SELECT 'ticket_created', md5(g::text) || md5((g + 1)::text), now(), '{}'::jsonb FROM generate_series(1, $1) AS g
     RETURNING id`,
    [count],
  );
  const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  const events = ids.map((id, index) => ({ id, seq: index + 1 }));
  await pool.query(
    `INSERT INTO live_event (seq, webhook_id, body)
     SELECT (e->>'seq')::bigint, (e->>'id')::bigint, e FROM jsonb_array_elements($1::jsonb) AS e`,
    [JSON.stringify(events.map((e) => liveBody(e.id, e.seq)))],
  );
  return events.map((e) => ({
    ...e,
    message: encodeLiveBatch([{ ...e, json: JSON.stringify(liveBody(e.id, e.seq)) }]),
  }));
}

const ID_PREFIX = Buffer.from('id: ');
const FRAME_END = Buffer.from('\n\n');

/** A client that only extracts `id:` values from whole frames, checking order against the publish order. */
class BenchClient {
  private carry: Buffer = Buffer.alloc(0);
  next = 0;
  errors = 0;
  dropped = false;
  stream: RawSseStream | undefined;

  constructor(
    private readonly indexOfId: Map<number, number>,
    private readonly publishedAt: Float64Array,
    private readonly latencies: Float64Array,
    private readonly slot: number,
  ) {}

  onChunk(chunk: Buffer): void {
    const now = performance.now();
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const end = data.lastIndexOf(FRAME_END);
    if (end === -1) {
      this.carry = data;
      return;
    }
    this.carry = data.subarray(end + 2);
    let at = 0;
    while (at <= end) {
      if (data.indexOf(ID_PREFIX, at) === at) {
        const lineEnd = data.indexOf(10, at);
        const id = Number(data.toString('latin1', at + ID_PREFIX.length, lineEnd));
        const index = this.indexOfId.get(id);
        if (index === this.next) {
          this.latencies[this.slot + index] = now - this.publishedAt[index];
          this.next += 1;
        } else {
          this.errors += 1;
        }
      }
      const frameEnd = data.indexOf(FRAME_END, at);
      if (frameEnd === -1 || frameEnd > end) break;
      at = frameEnd + 2;
    }
  }
}

function openClients(url: string, count: number, make: (slot: number) => BenchClient): Promise<BenchClient[]> {
  const clients = Array.from({ length: count }, (_, i) => make(i));
  return Promise.all(
    clients.map(async (client, i) => {
      client.stream = openRawSse(`${url}/events`, keyHeaders(), {
        onBytes: (bytes) => client.onChunk(bytes),
        onClose: () => (client.dropped = true),
      });
      const { status } = await client.stream.opened;
      if (status !== 200) throw new Error(`client ${i}: HTTP ${status}`);
      return client;
    }),
  );
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : NaN;
}

/** This tree, or with --before the checkout in BENCH_BEFORE_ROOT. */
function bridgeRoot(): string {
  if (!process.argv.includes('--before')) return '';
  return beforeRoot('--before');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(args: Args, services: ProcessGroups): Promise<void> {
  const total = Math.round(args.rate * args.duration);
  const dbName = `petzi_bench_fanout_${process.pid}`;
  const prefix = `bench_fanout_${process.pid}`;
  const dbUrl = await freshDatabase(dbName);
  const pool = new Pool({ connectionString: dbUrl, max: 2 });
  const connection = await amqp.connect(RABBITMQ_URL);
  let bridge: Child | undefined;
  let clients: BenchClient[] = [];
  try {
    await migrate(pool);
    const channel = await connection.createChannel();
    const names = topologyNames(prefix);
    await declareTopology(channel, names);

    bridge = await startChild(entryPoint(bridgeRoot(), 'bridge'), {
      PORT: '0',
      DATABASE_URL: dbUrl,
      RABBITMQ_URL,
      BRIDGE_TOPOLOGY_PREFIX: prefix,
    });
    const bridgeUrl = bridge.url;
    await sleep(500);
    const rssIdleKb = bridge.rssKb();

    const events = await commitEvents(pool, total);
    const indexOfId = new Map(events.map((e, i) => [e.id, i]));
    const publishedAt = new Float64Array(total);
    const latencies = new Float64Array(args.clients * total).fill(NaN);
    clients = await openClients(
      bridgeUrl,
      args.clients,
      (slot) => new BenchClient(indexOfId, publishedAt, latencies, slot * total),
    );
    while ((await metric(bridgeUrl, 'sse_clients_connected')) < args.clients) await sleep(100);
    const rssConnectedKb = bridge.rssKb();
    console.log(`${args.clients} clients connected; publishing ${total} events at ${args.rate}/s`);

    let rssPeakKb = rssConnectedKb;
    const child = bridge;
    const sampler = setInterval(() => (rssPeakKb = Math.max(rssPeakKb, child.rssKb())), 250);
    const meter = new CpuMeter({ bridge: [child.process.pid as number], ...services }).start();
    const start = performance.now();
    const interval = 1000 / args.rate;
    for (let i = 0; i < total; i += 1) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      publishedAt[i] = performance.now();
      // As the relay publishes a batch of one (docs/protocol.md).
      channel.publish(names.liveExchange, '', events[i].message.content, {
        persistent: true,
        contentType: LIVE_BATCH_CONTENT_TYPE,
        type: LIVE_BATCH_TYPE,
        headers: events[i].message.headers,
      });
    }
    const publishSeconds = (performance.now() - start) / 1000;
    const deadline = performance.now() + 30_000;
    while (clients.some((c) => c.next < total && !c.dropped) && performance.now() < deadline) await sleep(100);
    clearInterval(sampler);
    const elapsed = (performance.now() - start) / 1000;
    const cpuUsed = meter.read();
    const bridgeCpu = cpuUsed.bridge / elapsed;
    const benchCpu = cpuUsed[LOAD_GENERATOR] / elapsed;
    const rssEndKb = bridge.rssKb();
    rssPeakKb = Math.max(rssPeakKb, rssEndKb);
    const droppedSlow = await metric(bridgeUrl, 'sse_clients_dropped_total{reason="slow"}');

    const complete = clients.filter((c) => c.next === total && c.errors === 0).length;
    const samples = Array.from(latencies.filter((v) => !Number.isNaN(v))).sort((a, b) => a - b);
    const ms = (v: number) => Math.round(v * 100) / 100;
    const mb = (kb: number) => Math.round(kb / 102.4) / 10;
    const result = {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      setup: 'bridge as a child process; clients, publisher and Postgres/RabbitMQ on the same machine',
      clients: args.clients,
      eventsPerSecond: args.rate,
      events: total,
      publishSeconds: ms(publishSeconds),
      allClientsGotEveryEvent: complete === args.clients,
      clientsComplete: complete,
      deliveries: samples.length,
      expectedDeliveries: args.clients * total,
      outOfOrderOrDuplicate: clients.reduce((sum, c) => sum + c.errors, 0),
      clientsDroppedSlow: droppedSlow,
      latencyMs: {
        p50: ms(percentile(samples, 50)),
        p95: ms(percentile(samples, 95)),
        p99: ms(percentile(samples, 99)),
        max: ms(samples[samples.length - 1] ?? NaN),
      },
      cpuCoresBusy: { bridge: ms(bridgeCpu), benchProcess: ms(benchCpu) },
      /** Per 1,000 events published (each to every client); "load generator" is this process: publisher and clients. */
      cpuSecondsPer1000Events: cpuPerThousand(cpuUsed, total),
      bridgeRssMb: { idle: mb(rssIdleKb), connected: mb(rssConnectedKb), peak: mb(rssPeakKb), end: mb(rssEndKb) },
    };
    mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
    const file = path.join(
      ROOT,
      'bench-results',
      process.argv.includes('--before') ? 'fanout.before-code.json' : 'fanout.json',
    );
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.table({
      clients: result.clients,
      'events/s': result.eventsPerSecond,
      events: result.events,
      'every client got every event': result.allClientsGotEveryEvent,
      'clients complete': result.clientsComplete,
      'deliveries / expected': `${result.deliveries} / ${result.expectedDeliveries}`,
      'latency p50 ms': result.latencyMs.p50,
      'latency p95 ms': result.latencyMs.p95,
      'latency p99 ms': result.latencyMs.p99,
      'bridge RSS idle MB': result.bridgeRssMb.idle,
      'bridge RSS connected MB': result.bridgeRssMb.connected,
      'bridge RSS peak MB': result.bridgeRssMb.peak,
      'bridge CPU (cores)': result.cpuCoresBusy.bridge,
      'bench process CPU (cores)': result.cpuCoresBusy.benchProcess,
      ...Object.fromEntries(
        Object.entries(result.cpuSecondsPer1000Events).map(([name, seconds]) => [
          `CPU s per 1,000 events: ${name}`,
          seconds,
        ]),
      ),
    });
    console.log(`written to ${path.relative(process.cwd(), file)}`);
    if (!result.allClientsGotEveryEvent) process.exitCode = 1;
  } finally {
    for (const client of clients) client.stream?.close();
    if (bridge) {
      const code = await bridge.stop();
      if (code !== 0) console.error(`bridge exited with ${code}`);
    }
    await connection.close().catch(() => undefined);
    await pool.end();
    await dropDatabase(dbName);
    await deleteBenchTopology(prefix);
  }
}

/** Each delete on its own channel: a failed one closes its channel. */
async function deleteBenchTopology(prefix: string): Promise<void> {
  const cleanup = await amqp.connect(RABBITMQ_URL);
  try {
    for (const name of Object.values(topologyNames(prefix))) {
      for (const remove of [
        (ch: amqp.Channel) => ch.deleteQueue(name),
        (ch: amqp.Channel) => ch.deleteExchange(name),
      ]) {
        const ch = await cleanup.createChannel();
        ch.on('error', () => undefined);
        await remove(ch).catch(() => undefined);
        await ch.close().catch(() => undefined);
      }
    }
  } finally {
    await cleanup.close();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args === 'help') {
    console.log(HELP);
    return;
  }
  const services = await startBenchServices(process.argv);
  try {
    console.log(`fan-out bench: Postgres ${new URL(ADMIN_DATABASE_URL).host}, RabbitMQ ${new URL(RABBITMQ_URL).host}`);
    await run(args, services.groups);
  } finally {
    await services.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`fan-out bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
