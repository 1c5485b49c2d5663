import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SummaryRow } from './ingest-bench';
import { ROOT } from './support';
import { replaceBlock, wrap } from '../docs/blocks';

const PAGE = 'docs/performance.md';

const HELP = `Usage: npm run bench:tables [-- --write]

The benchmark tables of docs/performance.md, from bench-results/*.json: each target before and
after (the last run), and the CPU seconds per 1,000 webhooks of each process. Before is the last
run's own "@before" rows (the code in BENCH_BEFORE_ROOT, interleaved with this tree's) when it has
them, else the *.before.json files, kept from the run before the performance work. Prints
markdown; --write replaces the block between <!-- bench:tables --> and <!-- /bench:tables --> in
docs/performance.md.`;

type Json = Record<string, unknown>;
/** A row of bench-results/ingest*.json's summary; runs before CPU was measured have no cpuSecondsPer1000. */
type IngestRow = Omit<SummaryRow, 'runs' | 'cpuSecondsPer1000'> & Partial<Pick<SummaryRow, 'cpuSecondsPer1000'>>;
interface E2eRow {
  layout: string;
  rate: number;
  allDelivered: boolean;
  notOk: number;
  p50Ms: number;
  p99Ms: number;
  p99RangeMs: [number, number];
  stageP50Ms: Record<'reply' | 'relay' | 'fanout', number>;
  cpuSecondsPer1000?: Record<string, number>;
}
interface RelaySql {
  webhooks: number;
  repeat: number;
  summary: Array<{
    batch: number;
    freshCpuUs: number;
    freshWallUs: number;
    redeliveredCpuUs: number;
    redeliveredWallUs: number;
  }>;
}
interface Fanout {
  allClientsGotEveryEvent: boolean;
  latencyMs: { p50: number; p99: number };
  bridgeRssMb: { peak: number };
  cpuSecondsPer1000Events?: Record<string, number>;
}

function read<T>(name: string): T | undefined {
  const file = path.join(ROOT, 'bench-results', name);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

const ingestRow = (data: Json | undefined, host: string, connections: number) =>
  (data?.summary as IngestRow[] | undefined)?.find((r) => r.hostFunctions === host && r.connections === connections);
const e2eRow = (data: Json | undefined, rate: number, layout = 'one') =>
  (data?.summary as E2eRow[] | undefined)?.find((r) => r.layout === layout && r.rate === rate);
/**
 * Before, for a target: the last run's own "<name>@before" row (the code before, interleaved in the
 * same run, so measured in the same hour) when it has one, else the baseline file's "<name>" row.
 */
export const ingestBefore = (after: Json | undefined, baseline: Json | undefined, host: string, connections: number) =>
  ingestRow(after, `${host}@before`, connections) ?? ingestRow(baseline, host, connections);
export const e2eBefore = (after: Json | undefined, baseline: Json | undefined, rate: number) =>
  e2eRow(after, rate, 'one@before') ?? e2eRow(baseline, rate);
const show = (value: number | null | undefined, unit = '') =>
  value === null || value === undefined || Number.isNaN(value) ? 'n/a' : `${value}${unit}`;
const mark = (met: boolean | undefined) => (met === undefined ? '' : met ? 'met' : '**missed**');

function targets(): string[] {
  const [ib, ia] = [read<Json>('ingest.before.json'), read<Json>('ingest.json')];
  const [eb, ea] = [read<Json>('e2e.before.json'), read<Json>('e2e.json')];
  // Before: main's bridge run just before this one (--before) when there is such a run, else the baseline file.
  const [fb, fa] = [
    read<Fanout>('fanout.before-code.json') ?? read<Fanout>('fanout.before.json'),
    read<Fanout>('fanout.json'),
  ];
  const pipeline = (row: E2eRow | undefined) => row?.cpuSecondsPer1000?.pipeline;
  const halfOf = pipeline(e2eBefore(ea, eb, 1000));
  const rows: Array<[string, string, string, boolean | undefined]> = [];
  const ratioTarget = (label: string, host: string, c: number, goal: number) => {
    const after = ingestRow(ia, host, c)?.ratioToBare;
    rows.push([
      label,
      show(ingestBefore(ia, ib, host, c)?.ratioToBare, '×'),
      show(after, '×'),
      after == null ? undefined : after >= goal,
    ]);
  };
  ratioTarget('ingest functions, 64 connections: ≥ 2.0× bare', 'ingest', 64, 2.0);
  ratioTarget('ingest functions, 16 connections: ≥ 1.3× bare', 'ingest', 16, 1.3);
  const p99 = ingestRow(ia, 'ingest', 64)?.p99Ms;
  rows.push([
    'ingest functions, 64 connections: p99 < 50 ms',
    show(ingestBefore(ia, ib, 'ingest', 64)?.p99Ms, ' ms'),
    show(p99, ' ms'),
    p99 === undefined ? undefined : p99 < 50,
  ]);
  ratioTarget('every function in one host, 64 connections: ≥ 1.5× bare', 'all', 64, 1.5);
  for (const [rate, goal] of [
    [1000, 100],
    [200, 30],
  ] as const) {
    const [before, after] = [e2eBefore(ea, eb, rate), e2eRow(ea, rate)];
    const cell = (r: E2eRow | undefined) =>
      r
        ? `${r.p99Ms} ms (${r.p99RangeMs[0]}–${r.p99RangeMs[1]}), ${r.allDelivered ? 'all delivered' : '**not all delivered**'}`
        : 'n/a';
    rows.push([
      `webhook → SSE at ${rate}/s: p99 < ${goal} ms, every event delivered`,
      cell(before),
      cell(after),
      after ? after.p99Ms < goal && after.allDelivered : undefined,
    ]);
  }
  const after = pipeline(e2eRow(ea, 1000));
  rows.push([
    'whole-pipeline CPU per webhook at 1,000/s: half of before',
    show(halfOf && halfOf * 1000, ' µs'),
    show(after && after * 1000, ' µs'),
    after === undefined || halfOf === undefined ? undefined : after <= halfOf / 2,
  ]);
  const fan = (f: Fanout | undefined) =>
    f
      ? `p99 ${f.latencyMs.p99} ms, RSS ${f.bridgeRssMb.peak} MB${f.allClientsGotEveryEvent ? '' : ', **events missed**'}`
      : 'n/a';
  rows.push([
    'fan-out, 1,000 clients at 200 events/s: p99 < 100 ms, bridge RSS < 150 MB',
    fan(fb),
    fan(fa),
    fa ? fa.latencyMs.p99 < 100 && fa.bridgeRssMb.peak < 150 && fa.allClientsGotEveryEvent : undefined,
  ]);
  return [
    '| target | before | after | |',
    '| --- | --- | --- | --- |',
    ...rows.map(([t, b, a, m]) => `| ${t} | ${b} | ${a} | ${mark(m)} |`),
  ];
}

function cpuTable(): string[] {
  const groups = ['host', 'relay', 'bridge', 'postgres', 'rabbitmq', 'load generator', 'pipeline'];
  const lines = [`| run | ${groups.join(' | ')} |`, `| --- | ${groups.map(() => '---').join(' | ')} |`];
  const add = (label: string, cpu: Record<string, number> | undefined) => {
    if (cpu)
      lines.push(
        `| ${label} | ${groups.map((g) => (g in cpu ? String(Math.round(cpu[g] * 1000)) : '')).join(' | ')} |`,
      );
  };
  for (const [when, suffix] of [
    ['before', '.before'],
    ['after', ''],
  ] as const) {
    const ingest = read<Json>(`ingest${suffix}.json`);
    for (const [host, c, label] of [
      ['bare', 64, 'bare reference'],
      ['ingest', 64, 'ingest functions'],
      ['ingest', 16, 'ingest functions'],
      ['all', 64, 'every function'],
    ] as const) {
      add(`${when}: npm run bench, ${label}, ${c} connections`, ingestRow(ingest, host, c)?.cpuSecondsPer1000);
    }
    // The code before, interleaved in the last run (ingest-bench --hosts ...,ingest@before,all@before).
    if (suffix === '')
      for (const [host, c, label] of [
        ['ingest@before', 64, 'ingest functions'],
        ['ingest@before', 16, 'ingest functions'],
        ['all@before', 64, 'every function'],
      ] as const) {
        add(
          `before, same run (${host}): npm run bench, ${label}, ${c} connections`,
          ingestRow(ingest, host, c)?.cpuSecondsPer1000,
        );
      }
    const e2e = read<Json>(`e2e${suffix}.json`);
    for (const rate of [200, 1000]) add(`${when}: npm run bench:e2e, ${rate}/s`, e2eRow(e2e, rate)?.cpuSecondsPer1000);
    // The code before, interleaved in the last run (e2e-bench --layouts one@before,one).
    for (const rate of [200, 1000])
      if (suffix === '')
        add(
          `before, same run (one@before): npm run bench:e2e, ${rate}/s`,
          e2eRow(e2e, rate, 'one@before')?.cpuSecondsPer1000,
        );
    add(
      `${when}: npm run bench:fanout, per 1,000 events`,
      read<Fanout>(`fanout${suffix}.json`)?.cpuSecondsPer1000Events,
    );
    if (suffix === '')
      add(
        'before, same hour (--before, the bridge in BENCH_BEFORE_ROOT): npm run bench:fanout, per 1,000 events',
        read<Fanout>('fanout.before-code.json')?.cpuSecondsPer1000Events,
      );
  }
  return lines;
}

const SERVER: Record<string, string> = {
  bare: 'bare reference',
  ingest: 'functions host, ingest functions',
  all: 'functions host, every function (relay in-process)',
};

/** The last run of each bench, as its own table. */
function lastRuns(): string[] {
  const ingest = read<Json>('ingest.json');
  const calibration = (data: Json | undefined) => {
    const c = data?.calibrationMs as { before: number; after: number } | undefined;
    return c ? `calibration ${c.before} → ${c.after} ms` : 'no calibration';
  };
  const lines = [
    wrap(`Last \`npm run bench\` (medians of ${String(ingest?.repeat ?? '?')} runs; ${calibration(ingest)}):`),
    '',
    '| server | connections | requests/s | × bare | p50 ms | p99 ms | host CPU | lost |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of (ingest?.summary as IngestRow[] | undefined) ?? []) {
    lines.push(
      `| ${SERVER[r.hostFunctions] ?? r.hostFunctions} | ${r.connections} | ${r.requestsPerSecond} | ${r.ratioToBare ?? ''} | ${r.p50Ms} | ${r.p99Ms} | ${r.hostCpuPercent}% | ${r.lost} |`,
    );
  }
  const e2e = read<Json>('e2e.json');
  lines.push(
    '',
    wrap(
      `Last \`npm run bench:e2e\` (medians of ${String(e2e?.repeat ?? '?')} runs of 10 s after 3 s of warm-up; ${calibration(e2e)}):`,
    ),
    '',
    '| layout | rate | p50 | p99 (range over the runs) | stage p50s: reply / relay / fan-out | delivered | not 200 |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of (e2e?.summary as E2eRow[] | undefined) ?? []) {
    lines.push(
      `| ${r.layout} | ${r.rate}/s | ${r.p50Ms} ms | ${r.p99Ms} ms (${r.p99RangeMs[0]}–${r.p99RangeMs[1]}) | ${r.stageP50Ms.reply} / ${r.stageP50Ms.relay} / ${r.stageP50Ms.fanout} ms | ${r.allDelivered ? 'all' : '**not all**'} | ${r.notOk} |`,
    );
  }
  const fanout = read<Fanout & { clients: number; eventsPerSecond: number }>('fanout.json');
  if (fanout) {
    lines.push(
      '',
      wrap(
        `Last \`npm run bench:fanout\`: ${fanout.clients} SSE clients at ${fanout.eventsPerSecond} events/s: ${fanout.allClientsGotEveryEvent ? 'every client got every event, in order' : '**not every client got every event**'}; delivery p50 ${fanout.latencyMs.p50} ms, p99 ${fanout.latencyMs.p99} ms; bridge RSS peak ${fanout.bridgeRssMb.peak} MB.`,
      ),
    );
  }
  return lines;
}

/** bench:relay-sql before (relay-sql.before.json, the relay's SQL before migration 008) and after, per batch size. */
function relaySqlTable(): string[] {
  const [before, after] = [read<RelaySql>('relay-sql.before.json'), read<RelaySql>('relay-sql.json')];
  if (!after) return [];
  const lines = [
    wrap(
      `\`npm run bench:relay-sql\`: relay_batch alone on one connection, Postgres backend CPU µs per webhook (wall in brackets), medians of ${after.repeat} rounds of ${after.webhooks} webhooks; before = \`relay-sql.before.json\`:`,
    ),
    '',
    '| batch | fresh, before | fresh, after | redelivered, before | redelivered, after |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const a of after.summary) {
    const b = before?.summary.find((r) => r.batch === a.batch);
    const cell = (cpu: number | undefined, wall: number | undefined) =>
      cpu === undefined ? 'n/a' : `${cpu} (${String(wall)})`;
    lines.push(
      `| ${a.batch} | ${cell(b?.freshCpuUs, b?.freshWallUs)} | ${cell(a.freshCpuUs, a.freshWallUs)} | ${cell(b?.redeliveredCpuUs, b?.redeliveredWallUs)} | ${cell(a.redeliveredCpuUs, a.redeliveredWallUs)} |`,
    );
  }
  return lines;
}

function main(): void {
  if (process.argv.includes('--help')) {
    console.log(HELP);
    return;
  }
  const block = [
    wrap(
      "Targets (medians; before = the code before the performance work: the last run's own `@before` layouts, the code in " +
        "`BENCH_BEFORE_ROOT` interleaved with this tree's, and for bench:fanout `fanout.before-code.json`, when there are, " +
        'else `bench-results/*.before.json`; after = the last run):',
    ),
    '',
    ...targets(),
    '',
    wrap(
      'CPU µs per webhook (CPU ms per 1,000 webhooks) by process, from /proc, medians; pipeline = all but the load generator:',
    ),
    '',
    ...cpuTable(),
    '',
    ...lastRuns(),
    '',
    ...relaySqlTable(),
  ].join('\n');
  if (!process.argv.includes('--write')) {
    console.log(block);
    return;
  }
  const page = path.join(ROOT, PAGE);
  writeFileSync(page, replaceBlock(readFileSync(page, 'utf8'), 'bench:tables', block, PAGE));
  console.log(`${PAGE} tables rewritten`);
}

if (require.main === module) main();
