// npm run bench:swarm -- [--replicas 1,2,3] [--seconds 20] [--concurrency 32]
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { steadyLoad, type Reply } from '../faults/load';
import { repoRoot } from '../images/build';
import { dockerEnv, runOk } from '../images/docker';
import { parseScaleArgs, type ScaleOptions } from './args';
import { relayQueueReady } from './rabbit';
import { deploySwarmStack, gatewayServing, poll, type SwarmStack } from './stack';

const HELP = `Usage: npm run bench:swarm -- [--replicas 1,2,3] [--seconds 20] [--concurrency 32]

Deploys infra/swarm/stack.yml on this machine's engine (as npm run test:swarm does: a single-node
swarm, the project's images, fresh secrets), then for each count of functions replicas behind the
gateway, in one run: scales the functions service, sends signed webhooks through the gateway with
--concurrency requests in flight for --seconds (a closed loop: the rate is what the stack answers),
waits until the relay has projected and relayed every one, and measures
  - webhooks answered 200 per second, and the replies' median and 99th percentile;
  - CPU per webhook (ms), per service and in all, from each container's cgroup CPU counter,
    over the load and the relay's catch-up;
  - the load generator's own CPU (it shares the machine).
Writes bench-results/swarm-scale.json. The stack is removed at the end.`;

/** CPU seconds a container has used, from its cgroup (v1 cpuacct with the cgroupfs driver, or v2). */
function containerCpuSeconds(id: string): number {
  const candidates: Array<[string, (text: string) => number]> = [
    [`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, (t) => Number(t.trim()) / 1e9],
    [`/sys/fs/cgroup/cpu,cpuacct/docker/${id}/cpuacct.usage`, (t) => Number(t.trim()) / 1e9],
    [
      `/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`,
      (t) => Number(/^usage_usec (\d+)$/m.exec(t)?.[1]) / 1e6,
    ],
    [`/sys/fs/cgroup/docker/${id}/cpu.stat`, (t) => Number(/^usage_usec (\d+)$/m.exec(t)?.[1]) / 1e6],
  ];
  for (const [file, parse] of candidates) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const value = parse(text);
    if (Number.isFinite(value)) return value;
  }
  throw new Error(`no cgroup CPU counter found for container ${id} (looked under /sys/fs/cgroup for cgroup v1 and v2)`);
}

/** CPU seconds used so far by every running container of the stack, summed per service. */
async function cpuByService(stack: SwarmStack): Promise<Record<string, number>> {
  const out = await runOk(
    'docker',
    [
      'ps',
      '--no-trunc',
      '--filter',
      `label=com.docker.stack.namespace=${stack.name}`,
      '--format',
      '{{.ID}} {{.Label "com.docker.swarm.service.name"}}',
    ],
    { env: dockerEnv() },
  );
  const totals: Record<string, number> = {};
  for (const line of out.split('\n').filter(Boolean)) {
    const [id, service] = line.split(' ');
    const short = service.slice(stack.name.length + 1);
    totals[short] = (totals[short] ?? 0) + containerCpuSeconds(id);
  }
  return totals;
}

async function countRows(stack: SwarmStack): Promise<{ rows: number; relayed: number }> {
  const [[rows, relayed]] = await stack.sql(
    'SELECT (SELECT count(*) FROM webhook_event), (SELECT count(*) FROM live_event)',
  );
  return { rows: Number(rows), relayed: Number(relayed) };
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface StageResult {
  functionsReplicas: number;
  seconds: number;
  sent: number;
  ok: number;
  refused: Record<string, number>;
  webhooksPerSecond: number;
  replyMs: { p50: number | null; p99: number | null };
  /** From the end of the load until the relay had relayed every stored webhook. */
  relayCatchUpSeconds: number;
  /** Stored webhooks over the load and the catch-up, per second: what the whole pipeline carried. */
  pipelineWebhooksPerSecond: number;
  cpuMsPerWebhook: Record<string, number>;
  /** CPU of every container of the stack, in cores, averaged over the load and the catch-up. */
  stackCores: number;
  loadGeneratorCpuMsPerWebhook: number;
}

async function stage(stack: SwarmStack, replicas: number, options: ScaleOptions, seed: number): Promise<StageResult> {
  const log = (line: string) => process.stderr.write(`[bench:swarm] ${line}\n`);
  await runOk('docker', ['service', 'scale', '--detach', `${stack.service('functions')}=${replicas}`], {
    env: dockerEnv(),
  });
  await stack.converged(300_000);
  // The gateway caches the service's addresses for 2 s: past that it spreads over every replica.
  await new Promise((r) => setTimeout(r, 3_000));
  log(`${replicas} functions replica(s): warming up…`);
  const target = () => stack.url('PETZI_WEBHOOK_PORT');
  const warm = new AbortController();
  setTimeout(() => warm.abort(), 3_000);
  await steadyLoad({
    target,
    secret: stack.secrets.petzi_webhook_secret,
    rate: 10_000,
    count: Number.POSITIVE_INFINITY,
    stop: warm.signal,
    seed: seed + 1,
    concurrency: options.concurrency,
  });
  await poll(
    'the relay to catch up after the warm-up',
    120_000,
    async () => {
      const { rows, relayed } = await countRows(stack);
      return rows === relayed ? true : undefined;
    },
    500,
  );

  log(`${replicas} functions replica(s): ${options.seconds} s of load, ${options.concurrency} in flight…`);
  const before = await countRows(stack);
  const cpuBefore = await cpuByService(stack);
  const selfBefore = process.cpuUsage();
  const started = Date.now();
  const stop = new AbortController();
  setTimeout(() => stop.abort(), options.seconds * 1000);
  const replies: Reply[] = await steadyLoad({
    target,
    secret: stack.secrets.petzi_webhook_secret,
    rate: 10_000,
    count: Number.POSITIVE_INFINITY,
    stop: stop.signal,
    seed,
    concurrency: options.concurrency,
  });
  const loadEnded = Date.now();
  const self = process.cpuUsage(selfBefore);
  await poll(
    'the relay to relay every stored webhook',
    300_000,
    async () => {
      const { rows, relayed } = await countRows(stack);
      return rows === relayed ? true : undefined;
    },
    250,
  );
  const ended = Date.now();
  const cpuAfter = await cpuByService(stack);
  const after = await countRows(stack);

  const stored = after.rows - before.rows;
  const ok = replies.filter((r) => r.status === 200);
  const refused: Record<string, number> = {};
  for (const r of replies) {
    if (r.status === 200) continue;
    const key = r.status === 0 ? `0 ${r.error ?? 'no answer'}` : String(r.status);
    refused[key] = (refused[key] ?? 0) + 1;
  }
  const latencies = ok.map((r) => (r.repliedAt ?? r.sentAt) - r.sentAt).sort((a, b) => a - b);
  const cpuMsPerWebhook: Record<string, number> = {};
  let total = 0;
  for (const [service, seconds] of Object.entries(cpuAfter)) {
    const used = seconds - (cpuBefore[service] ?? 0);
    total += used;
    cpuMsPerWebhook[service] = round((used * 1000) / stored);
  }
  cpuMsPerWebhook.total = round((total * 1000) / stored);
  const loadSeconds = (loadEnded - started) / 1000;
  return {
    functionsReplicas: replicas,
    seconds: round(loadSeconds, 1),
    sent: replies.length,
    ok: ok.length,
    refused,
    webhooksPerSecond: round(ok.length / loadSeconds, 1),
    replyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    relayCatchUpSeconds: round((ended - loadEnded) / 1000, 1),
    pipelineWebhooksPerSecond: round(stored / ((ended - started) / 1000), 1),
    cpuMsPerWebhook,
    stackCores: round(total / ((ended - started) / 1000)),
    loadGeneratorCpuMsPerWebhook: round((self.user + self.system) / 1000 / Math.max(1, replies.length)),
  };
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseScaleArgs>;
  try {
    parsed = parseScaleArgs(argv);
  } catch (error) {
    process.stderr.write(`bench:swarm: ${(error as Error).message}\n\n${HELP}\n`);
    return 64;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const options = parsed.options;
  const runStarted = Date.now();
  const stack = await deploySwarmStack({ log: (line) => process.stderr.write(`[bench:swarm] ${line}\n`) });
  const stages: StageResult[] = [];
  let left: string[] = [];
  try {
    await poll('petzi.relay and its DLQ on all three nodes', 180_000, () => relayQueueReady(stack));
    await gatewayServing(stack, 120_000);
    for (const replicas of options.replicas) {
      const result = await stage(stack, replicas, options, 1000 * replicas);
      stages.push(result);
      process.stderr.write(`[bench:swarm] ${JSON.stringify(result)}\n`);
    }
  } finally {
    left = await stack.down();
  }
  const result = {
    at: new Date().toISOString(),
    command: `npm run bench:swarm${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    machine: { cores: cpus().length, loadAverage1m: round(loadavg()[0], 1) },
    note: 'One machine: the stack (3 RabbitMQ nodes, Postgres, relay x2, bridges x2, gateway) and the load generator share its cores.',
    options,
    stages,
    totalSeconds: round((Date.now() - runStarted) / 1000, 1),
  };
  const dir = path.join(repoRoot(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'swarm-scale.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `${JSON.stringify(stages.map((s) => ({ replicas: s.functionsReplicas, perSecond: s.webhooksPerSecond, cpuMs: s.cpuMsPerWebhook.total })))}\n`,
  );
  if (left.length > 0) {
    process.stderr.write(`bench:swarm: left behind: ${left.join(', ')}\n`);
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`bench:swarm: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
