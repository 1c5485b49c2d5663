import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { steadyLoad } from '../faults/load';
import { ReconnectingSseClient } from '../faults/sse';
import { FaultStack, SECRET } from '../faults/stack';
import { ROOT, percentile } from './support';

const HELP = `Usage: npm run bench:e2e [-- --rates 200,1000] [--seconds 10]

End-to-end latency from POST /webhook to the SSE event on a connected client, through the real
pipeline (functions host and SSE bridge as child processes, real Postgres and RabbitMQ), at each
rate for the given seconds. Writes bench-results/e2e.json and prints a table.`;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

interface E2eResult {
  rate: number;
  seconds: number;
  sent: number;
  ok: number;
  delivered: number;
  achievedRate: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

async function measure(rate: number, seconds: number): Promise<E2eResult> {
  const stack = await FaultStack.create(`e2e${rate}`);
  try {
    await stack.startHost();
    const bridge = await stack.startBridge();
    const client: ReconnectingSseClient = stack.connectClient(bridge);
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    const replies = await steadyLoad({ target: () => stack.hosts[0].url, secret: SECRET, rate, count: rate * seconds, seed: rate, concurrency: 256 });
    const sendSeconds = (Date.now() - started) / 1000;
    const acked = replies.filter((r) => r.status === 200 && r.id !== undefined);
    const deadline = Date.now() + 30_000;
    while (acked.some((r) => !client.firstSeen.has(r.id as number)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const latencies = acked.flatMap((r) => {
      const seen = client.firstSeen.get(r.id as number);
      return seen === undefined ? [] : [seen - r.sentAt];
    }).sort((a, b) => a - b);
    return {
      rate,
      seconds,
      sent: replies.length,
      ok: acked.length,
      delivered: latencies.length,
      achievedRate: Math.round(replies.length / sendSeconds),
      latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? NaN },
    };
  } finally {
    await stack.close();
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(HELP);
    return;
  }
  const rates = arg('--rates', '200,1000').split(',').map(Number);
  const seconds = Number(arg('--seconds', '10'));
  if (rates.some((r) => !(r > 0)) || !(seconds > 0)) throw new Error('--rates and --seconds must be positive');
  const results: E2eResult[] = [];
  for (const rate of rates) {
    console.log(`POST /webhook → SSE at ${rate}/s for ${seconds} s`);
    results.push(await measure(rate, seconds));
  }
  mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  const file = path.join(ROOT, 'bench-results', 'e2e.json');
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), cpus: require('node:os').cpus().length, results }, null, 2)}\n`);
  console.log('\nrate/s  achieved  sent   200s   delivered  p50 ms  p90 ms  p99 ms  max ms');
  for (const r of results) {
    console.log(
      `${String(r.rate).padEnd(7)} ${String(r.achievedRate).padEnd(9)} ${String(r.sent).padEnd(6)} ${String(r.ok).padEnd(6)} ${String(r.delivered).padEnd(10)} ${String(r.latencyMs.p50).padEnd(7)} ${String(r.latencyMs.p90).padEnd(7)} ${String(r.latencyMs.p99).padEnd(7)} ${r.latencyMs.max}`,
    );
  }
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
