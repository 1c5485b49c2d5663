import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { steadyLoad, type Reply } from '../faults/load';
import { FaultStack, SECRET } from '../faults/stack';
import { SseThread } from './sseThread';
import { ROOT, RABBITMQ_URL, adminQuery, cpuCalibrationMs, percentile } from './support';

const HELP = `Usage: npm run bench:replay [-- --webhooks 100000] [--rate 100] [--baseline 10]

What a replay costs: N stored webhooks are replayed with \`npm run ops -- replay\` (the CLI, a child
process) into a real pipeline (functions host and SSE bridge as child processes, real Postgres and
RabbitMQ), twice: first when none of them was relayed yet (every message is a fresh relay), then
again (every message a redelivery the relay recognises, the idempotent case). Meanwhile a steady
live load of --rate webhooks/s flows, and its latency from POST to the SSE client is compared with
--baseline seconds of the same load without a replay. Writes bench-results/replay.json.`;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

interface Latency {
  sent: number;
  ok: number;
  delivered: number;
  p50: number;
  p99: number;
  max: number;
}

interface PhaseResult {
  phase: 'first relay' | 'idempotent replay';
  webhooks: number;
  /** The CLI's run: read from Postgres and published to petzi.relay, confirmed. */
  publishSeconds: number;
  /** From the CLI's start until the relay had handled every replayed message. */
  drainedSeconds: number;
  live: Latency;
}

async function seed(databaseUrl: string, n: number): Promise<void> {
  const template = readFileSync(
    path.join(ROOT, 'test', 'fixtures', 'petzi-samples', 'ticket_created.indented-ascii.json'),
    'utf8',
  );
  // Stored and marked published, as after a long run: the outbox leaves them alone.
  await adminQuery(
    databaseUrl,
    `INSERT INTO webhook_event (event_type, body_sha256, signature_timestamp, payload, published_at)
     SELECT 'ticket_created', encode(sha256(convert_to(p::text, 'UTF8')), 'hex'), now(), p, now()
       FROM (SELECT jsonb_set($1::jsonb, '{details,ticket,number}', to_jsonb('REPLAY' || lpad(i::text, 9, '0'))) AS p
               FROM generate_series(1, $2::int) AS i) AS s`,
    [template, n],
  );
}

function runCli(args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'dist', 'tools', 'ops', 'main.js'), ...args],
      { env: { ...process.env, ...env }, maxBuffer: 1 << 24 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`ops ${args.join(' ')} failed: ${stderr || stdout}`)) : resolve(),
    );
  });
}

async function relayedCount(hostUrl: string, outcome: 'relayed' | 'redelivered'): Promise<number> {
  const text = await (await fetch(`${hostUrl}/metrics`)).text();
  const match = new RegExp(`^relay_messages_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/** Sends the live load in 2-second slices until `until` says stop; each slice its own seed, so no duplicates. */
async function liveLoad(url: string, rate: number, until: () => boolean, seedBase: number): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let slice = 0; !until(); slice += 1)
    replies.push(
      ...(await steadyLoad({
        target: () => url,
        secret: SECRET,
        rate,
        count: rate * 2,
        seed: seedBase + slice,
        concurrency: 64,
      })),
    );
  return replies;
}

async function latencyOf(client: SseThread, replies: Reply[]): Promise<Latency> {
  const ids = replies.flatMap((r) => (r.status === 200 && r.id !== undefined ? [r.id] : []));
  const deadline = Date.now() + 60_000;
  let seen = await client.collect();
  while (!ids.every((id) => seen.has(id)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    seen = await client.collect();
  }
  const byId = new Map(replies.map((r) => [r.id, r]));
  const latencies = ids
    .flatMap((id) => {
      const row = seen.get(id);
      const reply = byId.get(id);
      return row && reply ? [row.firstSeen - reply.sentAt] : [];
    })
    .sort((a, b) => a - b);
  return {
    sent: replies.length,
    ok: ids.length,
    delivered: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? NaN,
  };
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(HELP);
    return;
  }
  const n = Number(arg('--webhooks', '100000'));
  const rate = Number(arg('--rate', '100'));
  const baselineSeconds = Number(arg('--baseline', '10'));
  const calibrationBeforeMs = cpuCalibrationMs();
  const stack = await FaultStack.create('replay', { direct: true });
  let client: SseThread | undefined;
  try {
    const host = await stack.startHost();
    const bridge = await stack.startBridge();
    client = await SseThread.start(`${bridge.url}/events`);
    console.log(`seeding ${n.toLocaleString('en')} stored webhooks`);
    await seed(stack.databaseUrl, n);
    const env = { DATABASE_URL: stack.databaseUrl, RABBITMQ_URL, PETZI_TOPOLOGY_PREFIX: stack.prefix };

    console.log(`baseline: ${rate}/s live for ${baselineSeconds} s, no replay`);
    const baselineEnd = Date.now() + baselineSeconds * 1000;
    const baseline = await latencyOf(client, await liveLoad(host.url, rate, () => Date.now() > baselineEnd, 1));

    const phases: PhaseResult[] = [];
    for (const [phase, outcome] of [
      ['first relay', 'relayed'],
      ['idempotent replay', 'redelivered'],
    ] as const) {
      console.log(`${phase}: replaying ${n.toLocaleString('en')} webhooks beside ${rate}/s of live traffic`);
      const before = await relayedCount(host.url, outcome);
      const started = Date.now();
      let publishSeconds = NaN;
      let drained = false;
      const cli = runCli(['replay', '--quiet', '--to-id', String(n)], env).then(
        () => (publishSeconds = (Date.now() - started) / 1000),
      );
      const load = liveLoad(host.url, rate, () => drained, phase === 'first relay' ? 1_000 : 2_000);
      for (;;) {
        await new Promise((r) => setTimeout(r, 250));
        // The live load counts too when fresh: only the replayed range's relays are awaited.
        const done =
          outcome === 'relayed'
            ? Number(
                (
                  await adminQuery<{ n: string }>(
                    stack.databaseUrl,
                    'SELECT count(*) AS n FROM live_event WHERE webhook_id <= $1',
                    [n],
                  )
                )[0].n,
              )
            : (await relayedCount(host.url, outcome)) - before;
        if (done >= n) break;
      }
      await cli;
      const drainedSeconds = (Date.now() - started) / 1000;
      drained = true;
      phases.push({ phase, webhooks: n, publishSeconds, drainedSeconds, live: await latencyOf(client, await load) });
      console.log(`  published in ${publishSeconds.toFixed(1)} s, relayed in ${drainedSeconds.toFixed(1)} s`);
    }
    const result = {
      at: new Date().toISOString(),
      cpus: os.cpus().length,
      loadavg: os.loadavg(),
      calibrationMs: { before: calibrationBeforeMs, after: cpuCalibrationMs() },
      webhooks: n,
      liveRate: rate,
      baseline,
      phases,
    };
    mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench-results', 'replay.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log('\nphase               publish s  relayed s  live sent  delivered  p50 ms  p99 ms  max ms');
    const row = (name: string, p: number | string, d: number | string, l: Latency) =>
      console.log(
        `${name.padEnd(19)} ${String(p).padEnd(10)} ${String(d).padEnd(10)} ${String(l.sent).padEnd(10)} ${String(l.delivered).padEnd(10)} ${String(l.p50).padEnd(7)} ${String(l.p99).padEnd(7)} ${l.max}`,
      );
    row('baseline (no replay)', '-', '-', baseline);
    for (const p of phases) row(p.phase, p.publishSeconds.toFixed(1), p.drainedSeconds.toFixed(1), p.live);
  } finally {
    await client?.close();
    await stack.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
