import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../bench/support';
import { PROFILES, SCENARIOS, type ScenarioResult } from './scenarios';

const HELP = `Usage: npm run faults [-- --reduced] [--only name,name]

Drives the real pipeline (functions hosts and SSE bridges as child processes, real Postgres and
RabbitMQ reached through TCP proxies that can be cut) with signed webhooks at a steady rate,
injects one fault per scenario, then reconciles every 200 against webhook_event, petzi.webhooks,
the relay and the SSE clients that stayed connected.

Scenarios: ${Object.keys(SCENARIOS).join(', ')}
--reduced   the bounded CI version (100/s for 8 s, 3 s faults) instead of 200/s for 30 s, 10 s faults
After each fault, every host is sent fresh webhooks until it answers 200 (up to 30 s).
Writes bench-results/faults.json and prints a table; exits 1 when any acknowledged webhook was lost
or a scenario got no 200 after its fault ended.`;

function table(results: ScenarioResult[]): string {
  const header = [
    'scenario',
    'sent',
    '200s',
    'stored',
    'published',
    'relayed',
    'to SSE',
    'lost',
    'dup pub',
    'dup SSE',
    'refused',
    'first 200 ms',
    'backlog ms',
  ];
  const rows = results.map((r) =>
    [
      r.scenario,
      r.sent,
      r.ok,
      r.stored,
      r.published,
      r.relayed,
      r.deliveredToSse,
      r.lost,
      r.publishDuplicates,
      r.sseDuplicatesShown,
      Object.entries(r.refused)
        .map(([k, v]) => `${k}×${v}`)
        .join(' ') || '-',
      r.firstOkAfterFaultMs ?? 'NEVER',
      r.caughtUpAfterFaultMs ?? '-',
    ].map(String),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n');
}

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    console.log(HELP);
    return 0;
  }
  const profile = process.argv.includes('--reduced') ? PROFILES.reduced : PROFILES.full;
  const onlyIndex = process.argv.indexOf('--only');
  const names = onlyIndex >= 0 ? (process.argv[onlyIndex + 1] ?? '').split(',') : Object.keys(SCENARIOS);
  const unknown = names.filter((n) => !SCENARIOS[n]);
  if (unknown.length > 0) {
    console.error(`unknown scenario ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
    return 64;
  }
  const results: ScenarioResult[] = [];
  for (const [i, name] of names.entries()) {
    console.log(`[${i + 1}/${names.length}] ${name}: ${SCENARIOS[name].description}`);
    results.push(await SCENARIOS[name].run(profile));
    const r = results[results.length - 1];
    console.log(`      ${r.sent} sent, ${r.ok} acknowledged, ${r.lost} lost, ${r.seconds} s`);
  }
  mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  const file = path.join(ROOT, 'bench-results', profile.name === 'full' ? 'faults.json' : 'faults-reduced.json');
  writeFileSync(file, `${JSON.stringify({ profile, at: new Date().toISOString(), results }, null, 2)}\n`);
  console.log(`\n${table(results)}\n\nwritten to ${path.relative(process.cwd(), file)}`);
  // A scenario that never got a 200 after its fault proved no recovery: a failure like a loss.
  return results.some((r) => r.lost > 0 || (r.okDuringDbOutage ?? 0) > 0 || r.firstOkAfterFaultMs === null) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`faults failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
