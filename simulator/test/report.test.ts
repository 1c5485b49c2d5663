import { fractionDone, renderBar, renderLine, startProgress } from '../src/progress';
import { reportJson, reportOk, reportText, type RunReport } from '../src/report';
import { describeFetchError, isUnreachable, type Outcome } from '../src/send';
import { SHOWN_BODY_CHARS, SHOWN_FAILURES, Tally } from '../src/tally';
import { MemoryStream } from './memoryStream';

const ok = (latencyMs: number): Outcome => ({
  kind: 'response',
  status: 200,
  body: '{"status":"success","id":1}',
  latencyMs,
});
const refused = (body: string, status = 401): Outcome => ({ kind: 'response', status, body, latencyMs: 2 });

describe('Tally', () => {
  test('counts by status, splits expected from unexpected, keeps the first failures', () => {
    const tally = new Tally();
    expect(tally.add('#1', 200, ok(1))).toBe(true);
    expect(tally.add('#2', 200, ok(3))).toBe(true);
    expect(tally.add('#3', 200, refused('{"error":"Invalid signature"}'))).toBe(false);
    expect(tally.add('#4', 200, { kind: 'error', error: 'socket hang up', code: 'ECONNRESET', latencyMs: 5 })).toBe(
      false,
    );
    expect(tally.add('bad', 401, refused('{"error":"Missing"}'))).toBe(true);
    const summary = tally.summary();
    expect(summary).toMatchObject({
      sent: 5,
      asExpected: 3,
      unexpected: 2,
      byStatus: { '200': 2, '401': 2, error: 1 },
    });
    expect(summary.failures).toEqual([
      { label: '#3', expectedStatus: 200, status: 401, detail: '{"error":"Invalid signature"}' },
      { label: '#4', expectedStatus: 200, status: null, detail: 'socket hang up' },
    ]);
    expect(summary.latencyMs).toMatchObject({ count: 5, min: 1, max: 5 });
  });

  test('keeps only the first failures, bodies truncated', () => {
    const tally = new Tally();
    for (let i = 0; i < SHOWN_FAILURES + 3; i += 1)
      tally.add(`#${i}`, 200, refused('x'.repeat(SHOWN_BODY_CHARS * 2), 500));
    const summary = tally.summary();
    expect(summary.unexpected).toBe(SHOWN_FAILURES + 3);
    expect(summary.failures.map((f) => f.label)).toEqual(Array.from({ length: SHOWN_FAILURES }, (_, i) => `#${i}`));
    expect(summary.failures[0]?.detail.length).toBe(SHOWN_BODY_CHARS + 1);
  });
});

function reportOf(tally: Tally, extra: Partial<RunReport> = {}): RunReport {
  return {
    url: 'http://h/webhook',
    mode: 'valid',
    event: 'ticket_created',
    seed: 3,
    date: '2027-01-01',
    durationMs: 2000,
    summary: tally.summary(),
    ...extra,
  };
}

describe('reports', () => {
  test('ok only when something was sent and all got what they should', () => {
    const good = new Tally();
    good.add('#1', 200, ok(1));
    expect(reportOk(reportOf(good))).toBe(true);
    expect(reportOk(reportOf(new Tally()))).toBe(false);
    const bad = new Tally();
    bad.add('#1', 200, refused('{"error":"nope"}'));
    expect(reportOk(reportOf(bad))).toBe(false);
  });

  test('text: sent, rate, statuses, percentiles, failures with their bodies', () => {
    const tally = new Tally();
    tally.add('#1 ticket_created ABC', 200, ok(10));
    tally.add('#2 ticket_created DEF', 200, refused('{"error":"Invalid signature"}'));
    const text = reportText(reportOf(tally));
    expect(text).toContain('sent        2 in 2.00 s (1.0 req/s)');
    expect(text).toContain('by status   200: 1, 401: 1');
    expect(text).toContain('latency ms  p50 2.0  p95 10.0  p99 10.0');
    expect(text).toContain('1 of 2 did not get the expected status');
    expect(text).toContain('#2 ticket_created DEF: expected 200, got 401: {"error":"Invalid signature"}');
  });

  test('text for --invalid lists each case', () => {
    const tally = new Tally();
    tally.add('not_json', 400, refused('{}', 400));
    const text = reportText(
      reportOf(tally, {
        mode: 'invalid',
        cases: [{ name: 'not_json', description: 'not JSON', expectedStatus: 400, status: 400, asExpected: true }],
      }),
    );
    expect(text).toMatch(/not_json\s+400\s+400\s+ok\s+not JSON/);
    expect(text).toContain('all 1 got the expected status');
  });

  test('json: one object with the figures', () => {
    const tally = new Tally();
    tally.add('#1', 200, ok(1.234));
    expect(reportJson(reportOf(tally))).toMatchObject({
      ok: true,
      sent: 1,
      unexpected: 0,
      byStatus: { '200': 1 },
      requestsPerSecond: 0.5,
      latencyMs: { p50: 1.23, count: 1 },
      seed: 3,
      date: '2027-01-01',
      failures: [],
    });
  });
});

describe('progress', () => {
  test('the fraction follows the count, or the clock, whichever ends the run first', () => {
    expect(fractionDone({ done: 25, total: 100, unexpected: 0, elapsedMs: 0 })).toBe(0.25);
    expect(fractionDone({ done: 3, unexpected: 0, elapsedMs: 5000, durationMs: 10_000 })).toBe(0.5);
    expect(fractionDone({ done: 90, total: 100, unexpected: 0, elapsedMs: 1000, durationMs: 10_000 })).toBe(0.9);
    expect(fractionDone({ done: 200, total: 100, unexpected: 0, elapsedMs: 0 })).toBe(1);
  });

  test('bar and plain line', () => {
    const state = { done: 50, total: 100, unexpected: 2, elapsedMs: 2000 };
    expect(renderBar(state)).toBe(`[${'#'.repeat(15)}${'.'.repeat(15)}]  50% 50/100 25.0 req/s 2 unexpected`);
    expect(renderLine(state)).toBe('progress: 50/100 sent in 2.0s, 25.0 req/s, 2 unexpected');
  });

  test('a terminal gets the final bar and a newline on stop; a pipe gets nothing extra', () => {
    const tty = Object.assign(new MemoryStream(), { isTTY: true });
    startProgress(tty, () => ({ done: 1, total: 1, unexpected: 0, elapsedMs: 1000 })).stop();
    expect(tty.text).toBe(`\r${renderBar({ done: 1, total: 1, unexpected: 0, elapsedMs: 1000 })}\x1b[K\n`);
    const pipe = new MemoryStream();
    startProgress(pipe, () => ({ done: 1, unexpected: 0, elapsedMs: 1 })).stop();
    expect(pipe.text).toBe('');
  });
});

describe('fetch errors', () => {
  test('the code and message are dug out of the cause chain', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const error = new TypeError('fetch failed', { cause });
    const described = describeFetchError(error);
    expect(described).toEqual({ error: 'fetch failed: connect ECONNREFUSED 127.0.0.1:9', code: 'ECONNREFUSED' });
    expect(isUnreachable({ kind: 'error', ...described, latencyMs: 1 })).toBe(true);
    expect(isUnreachable({ kind: 'error', error: 'reset', code: 'ECONNRESET', latencyMs: 1 })).toBe(false);
    expect(describeFetchError('plain')).toEqual({ error: 'plain', code: undefined });
  });
});
