import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { steadyLoad } from '../faults/load';
import { FaultStack, SECRET } from '../faults/stack';
import { SseThread } from './sseThread';
import { CpuMeter, cpuPerThousand, type ProcessGroups } from './processCpu';
import { LAYOUTS, LAYOUTS_HELP, parseLayout, type LayoutChoice } from './e2eLayouts';
import { startBenchServices } from './services';
import { ROOT, cpuCalibrationMs, labelledRoot, groupBy, median, medianPerKey, percentile } from './support';

const HELP = `Usage: npm run bench:e2e [-- --rates 200,1000] [--seconds 10] [--warmup 3] [--layouts one[,split][,one@before]] [--repeat 3]
                         [--out bench-results/e2e.json] [--shared-services]

End-to-end latency from POST /webhook to the SSE event on a connected client, through the real
pipeline (functions host and SSE bridge as child processes, real Postgres and RabbitMQ; the SSE
client on its own thread, as a dashboard reads on another machine), at each
rate for the given seconds. Writes bench-results/e2e.json (or --out) and prints a table.

Layouts: "one" runs every function in one host process (npm run host, npm start); "split" runs
the relay in a host process of its own (PETZI_FUNCTIONS=relay) beside one serving the rest, so the
two share out the machine's cores.
--layouts takes ${LAYOUTS_HELP}.
"one@before" (or "split@before") runs the host and bridge of the built checkout at BENCH_BEFORE_ROOT
instead of this tree's, interleaved with it; any other label after @ runs the checkout BENCH_ROOTS
pairs with it ("one@hashcheck" with BENCH_ROOTS=hashcheck=DIR), except "@classic" and "@quorum",
which run this tree with PETZI_RELAY_QUEUE_TYPE set: --layouts one@classic,one@quorum compares the
relay's queue types in one run.

Every rate runs --repeat times (default 3), interleaved, each on a fresh stack; the summary gives
the median of each figure and the spread of p99, from the same run.

Each rate runs on a fresh stack that first takes --warmup seconds of the same load, not counted:
a cold stack opens its connections and compiles its hot code in its first seconds, which would
otherwise be most of the tail (about 1 s replies in the first 2 s at 1,000/s on this machine).

Each latency is also split into stages, from the clocks the pipeline stamps on every event (all
processes share this machine's clock):
  reply  POST sent until the 200 is read (stored and committed)
  relay  receivedAt (the row's insert time) until relayedAt (the relay's clock): the publish to
         petzi.webhooks, the queue, and the relay's wait for its batch
  fanout relayedAt until the SSE client reads the event: petzi.live, the bridge, the stream

CPU per webhook: from the first measured webhook until the client has seen the last one, the CPU
seconds each process used per 1,000 accepted webhooks, from /proc: host (relay too in "one"),
relay ("split"), bridge, Postgres (every backend), RabbitMQ (the beam VM), this process (load
generator and SSE client thread), and "pipeline", the sum without this process. The bench starts
a Postgres and a RabbitMQ of its own for that (see npm run bench -- --help; --shared-services
uses the machine's, without their CPU).`;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

interface E2eResult {
  layout: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  sent: number;
  ok: number;
  /** Replies other than 200, by status or error (the sender would retry these). */
  refused: Record<string, number>;
  delivered: number;
  achievedRate: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  stagesMs: Record<'reply' | 'relay' | 'fanout', { p50: number; p99: number }>;
  /** CPU seconds per 1,000 accepted webhooks, by process group, and `pipeline` (all but the load generator). */
  cpuSecondsPer1000: Record<string, number>;
}

function spread(values: number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** Asks the client thread until it has seen every id, or 30 s have passed; returns what it saw. */
async function awaitSeen(
  client: SseThread,
  ids: number[],
): Promise<Map<number, { firstSeen: number; receivedAt: number; relayedAt: number }>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const seen = await client.collect();
    if (ids.every((id) => seen.has(id)) || Date.now() > deadline) return seen;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function measure(
  choice: LayoutChoice,
  rate: number,
  seconds: number,
  warmupSeconds: number,
  services: ProcessGroups,
): Promise<E2eResult> {
  const { name, layout, root } = choice;
  // Its own database and topology per variant: a queue declared classic cannot be redeclared quorum.
  const stack = await FaultStack.create(`e2e${name.replace('@', '')}${rate}`, { direct: true, root });
  let client: SseThread | undefined;
  try {
    // Webhooks go to the first host; in "split" the second only relays.
    for (const env of LAYOUTS[layout]) await stack.startHost(undefined, { ...env, ...choice.env });
    const bridge = await stack.startBridge();
    client = await SseThread.start(`${bridge.url}/events`);
    await new Promise((r) => setTimeout(r, 500));
    if (warmupSeconds > 0) {
      const warm = await steadyLoad({
        target: () => stack.hosts[0].url,
        secret: SECRET,
        rate,
        count: Math.round(rate * warmupSeconds),
        seed: rate + 1_000_000,
        concurrency: 256,
      });
      const warmIds = warm.flatMap((r) => (r.status === 200 && r.id !== undefined ? [r.id] : []));
      if (warmIds.length !== warm.length)
        throw new Error(`warm-up: ${warm.length - warmIds.length} of ${warm.length} webhooks were not accepted`);
      await awaitSeen(client, warmIds);
    }
    const pid = (child: { process: { pid?: number } }) => child.process.pid as number;
    const pipeline: ProcessGroups = {
      host: [pid(stack.hosts[0])],
      ...(layout === 'split' ? { relay: [pid(stack.hosts[1])] } : {}),
      bridge: [pid(bridge.child as { process: { pid?: number } })],
      ...services,
    };
    const meter = new CpuMeter(pipeline).start();
    const started = Date.now();
    const replies = await steadyLoad({
      target: () => stack.hosts[0].url,
      secret: SECRET,
      rate,
      count: rate * seconds,
      seed: rate,
      concurrency: 256,
    });
    const sendSeconds = (Date.now() - started) / 1000;
    const acked = replies.filter((r) => r.status === 200 && r.id !== undefined);
    const seen = await awaitSeen(
      client,
      acked.map((r) => r.id as number),
    );
    const cpuUsed = meter.read();
    const delivered = acked.flatMap((r) => {
      const row = seen.get(r.id as number);
      return row ? [{ reply: r, ...row }] : [];
    });
    const latencies = delivered.map((d) => d.firstSeen - d.reply.sentAt).sort((a, b) => a - b);
    return {
      layout: name,
      rate,
      seconds,
      warmupSeconds,
      sent: replies.length,
      ok: acked.length,
      refused: replies.reduce<Record<string, number>>((counts, r) => {
        if (r.status !== 200) {
          const key = r.status === 0 ? `error: ${r.error ?? 'unknown'}` : String(r.status);
          counts[key] = (counts[key] ?? 0) + 1;
        }
        return counts;
      }, {}),
      delivered: latencies.length,
      achievedRate: Math.round(replies.length / sendSeconds),
      latencyMs: {
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1] ?? NaN,
      },
      stagesMs: {
        reply: spread(delivered.map((d) => (d.reply.repliedAt ?? NaN) - d.reply.sentAt)),
        relay: spread(delivered.map((d) => d.relayedAt - d.receivedAt)),
        fanout: spread(delivered.map((d) => d.firstSeen - d.relayedAt)),
      },
      cpuSecondsPer1000: cpuPerThousand(cpuUsed, acked.length),
    };
  } finally {
    await client?.close();
    await stack.close();
  }
}

interface E2eSummary {
  layout: string;
  rate: number;
  runs: number;
  /** Every accepted webhook reached the SSE client, in every run. */
  allDelivered: boolean;
  notOk: number;
  p50Ms: number;
  p99Ms: number;
  p99RangeMs: [number, number];
  stageP50Ms: Record<keyof E2eResult['stagesMs'], number>;
  cpuSecondsPer1000: Record<string, number>;
}

function summarise(results: E2eResult[]): E2eSummary[] {
  return groupBy(results, (r) => `${r.layout}/${r.rate}`).map((group) => {
    const p99s = group.map((r) => r.latencyMs.p99);
    const stage = (name: keyof E2eResult['stagesMs']) => median(group.map((r) => r.stagesMs[name].p50));
    return {
      layout: group[0].layout,
      rate: group[0].rate,
      runs: group.length,
      allDelivered: group.every((r) => r.delivered === r.ok),
      notOk: group.reduce((sum, r) => sum + (r.sent - r.ok), 0),
      p50Ms: median(group.map((r) => r.latencyMs.p50)),
      p99Ms: median(p99s),
      p99RangeMs: [Math.min(...p99s), Math.max(...p99s)],
      stageP50Ms: { reply: stage('reply'), relay: stage('relay'), fanout: stage('fanout') },
      cpuSecondsPer1000: medianPerKey(group.map((r) => r.cpuSecondsPer1000)),
    };
  });
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(HELP);
    return;
  }
  const rates = arg('--rates', '200,1000').split(',').map(Number);
  const seconds = Number(arg('--seconds', '10'));
  const warmupSeconds = Number(arg('--warmup', '3'));
  const repeat = Number(arg('--repeat', '3'));
  if (rates.some((r) => !(r > 0)) || !(seconds > 0)) throw new Error('--rates and --seconds must be positive');
  if (!(warmupSeconds >= 0)) throw new Error('--warmup must be 0 or more');
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat must be a positive integer');
  const layouts = arg('--layouts', 'one')
    .split(',')
    .map((name) => parseLayout(name.trim(), labelledRoot));
  const file = path.resolve(arg('--out', path.join(ROOT, 'bench-results', 'e2e.json')));
  const services = await startBenchServices(process.argv);
  const calibrationBeforeMs = cpuCalibrationMs();
  const results: E2eResult[] = [];
  const failed: Array<{ layout: string; rate: number; round: number; error: string }> = [];
  const total = repeat * layouts.length * rates.length;
  try {
    for (let round = 0; round < repeat; round += 1) {
      for (const layout of layouts) {
        for (const rate of rates) {
          const run = results.length + failed.length + 1;
          console.log(
            `[${run}/${total}] POST /webhook → SSE at ${rate}/s for ${seconds} s, after ${warmupSeconds} s of warm-up, layout "${layout.name}"`,
          );
          try {
            results.push(await measure(layout, rate, seconds, warmupSeconds, services.groups));
          } catch (error) {
            // One run that could not be measured (a busy machine refusing the warm-up) loses only itself.
            const message = error instanceof Error ? error.message : String(error);
            console.log(`  not measured: ${message}`);
            failed.push({ layout: layout.name, rate, round, error: message });
          }
        }
      }
    }
  } finally {
    await services.stop();
  }
  const calibrationMs = { before: calibrationBeforeMs, after: cpuCalibrationMs() };
  const summary = summarise(results);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), cpus: cpus().length, calibrationMs, repeat, summary, results, failed }, null, 2)}\n`,
  );
  console.log(
    '\nevery run:\nlayout        rate/s  achieved  sent   200s   delivered  p50 ms  p90 ms  p99 ms  max ms   stages p50/p99 ms',
  );
  for (const r of results) {
    const stage = (name: keyof E2eResult['stagesMs']) => `${name} ${r.stagesMs[name].p50}/${r.stagesMs[name].p99}`;
    console.log(
      `${r.layout.padEnd(13)} ${String(r.rate).padEnd(7)} ${String(r.achievedRate).padEnd(9)} ${String(r.sent).padEnd(6)} ${String(r.ok).padEnd(6)} ${String(r.delivered).padEnd(10)} ${String(r.latencyMs.p50).padEnd(7)} ${String(r.latencyMs.p90).padEnd(7)} ${String(r.latencyMs.p99).padEnd(7)} ${String(r.latencyMs.max).padEnd(8)} ${stage('reply')}  ${stage('relay')}  ${stage('fanout')}`,
    );
  }
  for (const r of results.filter((x) => Object.keys(x.refused).length > 0))
    console.log(`${r.layout} at ${r.rate}/s, not 200: ${JSON.stringify(r.refused)}`);
  for (const f of failed) console.log(`${f.layout} at ${f.rate}/s, round ${f.round + 1}: not measured (${f.error})`);
  console.log(
    `\nmedians of ${repeat} run(s) each (stages: reply = POST until 200, relay = insert until relayed, fanout = relayed until on the stream):`,
  );
  console.log('layout        rate/s  all delivered  not 200  p50 ms  p99 ms  p99 range   stage p50s ms');
  for (const r of summary) {
    console.log(
      `${r.layout.padEnd(13)} ${String(r.rate).padEnd(7)} ${String(r.allDelivered).padEnd(14)} ${String(r.notOk).padEnd(8)} ${String(r.p50Ms).padEnd(7)} ${String(r.p99Ms).padEnd(7)} ${`${r.p99RangeMs[0]}-${r.p99RangeMs[1]}`.padEnd(11)} reply ${r.stageP50Ms.reply}, relay ${r.stageP50Ms.relay}, fanout ${r.stageP50Ms.fanout}`,
    );
  }
  console.log('\nCPU seconds per 1,000 webhooks, medians (pipeline = all but the load generator):');
  const groups = [...new Set(summary.flatMap((r) => Object.keys(r.cpuSecondsPer1000)))];
  console.log(['layout', 'rate/s', ...groups].map((h) => h.padEnd(15)).join(''));
  for (const r of summary)
    console.log(
      [r.layout, String(r.rate), ...groups.map((g) => String(r.cpuSecondsPer1000[g] ?? '-'))]
        .map((c) => c.padEnd(15))
        .join(''),
    );
  console.log(`\nCPU calibration (support.ts): ${calibrationMs.before} ms before, ${calibrationMs.after} ms after`);
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
