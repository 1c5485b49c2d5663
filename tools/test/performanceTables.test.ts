import { e2eBefore, ingestBefore } from '../bench/performanceTables';

const ingestSummary = (rows: Array<{ hostFunctions: string; connections: number; ratioToBare: number }>) => ({
  summary: rows,
});
const e2eSummary = (rows: Array<{ layout: string; rate: number; p99Ms: number }>) => ({ summary: rows });

describe('performanceTables: which row is "before" for a target', () => {
  const baseline = ingestSummary([
    { hostFunctions: 'ingest', connections: 64, ratioToBare: 1.1 },
    { hostFunctions: 'all', connections: 64, ratioToBare: 0.8 },
  ]);

  it("takes the last run's own @before row, measured in the same run, over the baseline file", () => {
    const last = ingestSummary([
      { hostFunctions: 'ingest', connections: 64, ratioToBare: 1.6 },
      { hostFunctions: 'ingest@before', connections: 64, ratioToBare: 1.2 },
    ]);
    expect(ingestBefore(last, baseline, 'ingest', 64)?.ratioToBare).toBe(1.2);
  });

  it('falls back to the baseline file when the last run has no @before row for that host and connection count', () => {
    const last = ingestSummary([
      { hostFunctions: 'ingest', connections: 64, ratioToBare: 1.6 },
      { hostFunctions: 'ingest@before', connections: 16, ratioToBare: 1.2 },
    ]);
    expect(ingestBefore(last, baseline, 'ingest', 64)?.ratioToBare).toBe(1.1);
    expect(ingestBefore(last, baseline, 'all', 64)?.ratioToBare).toBe(0.8);
    expect(ingestBefore(last, undefined, 'all', 64)).toBeUndefined();
  });

  it('does the same for bench:e2e, by rate', () => {
    const last = e2eSummary([
      { layout: 'one', rate: 1000, p99Ms: 80 },
      { layout: 'one@before', rate: 1000, p99Ms: 200 },
      { layout: 'one', rate: 200, p99Ms: 25 },
    ]);
    const first = e2eSummary([
      { layout: 'one', rate: 1000, p99Ms: 220 },
      { layout: 'one', rate: 200, p99Ms: 67 },
    ]);
    expect(e2eBefore(last, first, 1000)?.p99Ms).toBe(200);
    expect(e2eBefore(last, first, 200)?.p99Ms).toBe(67);
  });
});
