import type { EventMode } from './payloads';
import type { LatencyStats } from './stats';
import type { Summary } from './tally';

export interface CaseResult {
  name: string;
  description: string;
  expectedStatus: number;
  status: number | null;
  asExpected: boolean;
}

export interface RunReport {
  url: string;
  mode: 'valid' | 'invalid';
  event: EventMode;
  seed: number;
  date: string;
  durationMs: number;
  summary: Summary;
  /** Only for --invalid: one row per case of the catalogue. */
  cases?: CaseResult[];
}

/** The one rule for the exit status: something was sent and every request got what it should. */
export function reportOk(report: RunReport): boolean {
  return report.summary.sent > 0 && report.summary.unexpected === 0;
}

function perSecond(sent: number, durationMs: number): number {
  return durationMs > 0 ? (sent * 1000) / durationMs : 0;
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

function roundedLatency(latency: LatencyStats | null): Record<string, number> | null {
  if (!latency) return null;
  return Object.fromEntries(
    Object.entries(latency).map(([key, value]) => [key, key === 'count' ? value : round(value)]),
  );
}

/** What --json prints: one object, stable field names. */
export function reportJson(report: RunReport): Record<string, unknown> {
  const { summary } = report;
  return {
    ok: reportOk(report),
    url: report.url,
    mode: report.mode,
    event: report.mode === 'valid' ? report.event : undefined,
    seed: report.seed,
    date: report.date,
    durationMs: round(report.durationMs),
    requestsPerSecond: round(perSecond(summary.sent, report.durationMs)),
    sent: summary.sent,
    asExpected: summary.asExpected,
    unexpected: summary.unexpected,
    byStatus: summary.byStatus,
    latencyMs: roundedLatency(summary.latencyMs),
    failures: summary.failures,
    cases: report.cases,
  };
}

const ms = (value: number): string => value.toFixed(1);

/** The human summary printed at the end of a run. */
export function reportText(report: RunReport): string {
  const { summary } = report;
  const lines: string[] = [];
  const what =
    report.mode === 'invalid'
      ? 'invalid-request catalogue'
      : `${report.event}, seed ${report.seed}, date ${report.date}`;
  lines.push(`PETZI simulator → ${report.url} (${what})`);
  lines.push(
    `sent        ${summary.sent} in ${(report.durationMs / 1000).toFixed(2)} s (${perSecond(summary.sent, report.durationMs).toFixed(1)} req/s)`,
  );
  const statuses = Object.entries(summary.byStatus).map(([status, count]) => `${status}: ${count}`);
  lines.push(`by status   ${statuses.length > 0 ? statuses.join(', ') : '-'}`);
  if (summary.latencyMs) {
    const l = summary.latencyMs;
    lines.push(
      `latency ms  p50 ${ms(l.p50)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}  (min ${ms(l.min)}, mean ${ms(l.mean)}, max ${ms(l.max)})`,
    );
  }
  if (report.cases) {
    lines.push('');
    const width = Math.max(...report.cases.map((c) => c.name.length), 4);
    lines.push(`${'case'.padEnd(width)}  expected  got    result  what`);
    for (const c of report.cases) {
      const got = c.status === null ? 'none' : String(c.status);
      lines.push(
        `${c.name.padEnd(width)}  ${String(c.expectedStatus).padEnd(8)}  ${got.padEnd(5)}  ${(c.asExpected ? 'ok' : 'WRONG').padEnd(6)}  ${c.description}`,
      );
    }
  }
  lines.push('');
  if (reportOk(report)) {
    lines.push(`result      all ${summary.sent} got the expected status`);
  } else if (summary.sent === 0) {
    lines.push('result      nothing was sent');
  } else {
    lines.push(
      `result      ${summary.unexpected} of ${summary.sent} did not get the expected status; the first ${summary.failures.length}:`,
    );
    for (const failure of summary.failures) {
      const got = failure.status === null ? 'no response' : `got ${failure.status}`;
      lines.push(`  ${failure.label}: expected ${failure.expectedStatus}, ${got}: ${failure.detail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
