import { summarise, type RunResult } from '../bench/ingest-bench';

function run(
  hostFunctions: string,
  connections: number,
  requestsPerSecond: number,
  p99: number,
  acknowledgedMissing = 0,
): RunResult {
  return {
    hostFunctions,
    connections,
    seconds: 20,
    requests: requestsPerSecond * 20,
    ok: requestsPerSecond * 20,
    errors: {},
    requestsPerSecond,
    latencyMs: { p50: p99 / 2, p90: p99 * 0.8, p99, max: p99 * 2 },
    storedRows: requestsPerSecond * 20,
    acknowledgedMissing,
    publishedRows: requestsPerSecond * 20,
    hostRssMb: 100,
    hostCpuPercent: 80,
    loadGeneratorCpuPercent: 20,
    cpuSecondsPer1000: { host: 400 / requestsPerSecond, pipeline: 800 / requestsPerSecond },
  };
}

describe('ingest bench summary', () => {
  it('takes the median of each set-up and the ratio of medians to bare at the same connections', () => {
    const rows = summarise([
      run('bare', 64, 2000, 80),
      run('ingest', 64, 2600, 60),
      run('bare', 64, 1000, 120),
      run('ingest', 64, 1500, 90, 1),
      run('bare', 64, 2400, 70),
      run('ingest', 64, 3000, 50),
      run('ingest', 16, 1200, 20),
    ]);
    expect(rows).toEqual([
      {
        hostFunctions: 'bare',
        connections: 64,
        runs: 3,
        requestsPerSecond: 2000,
        ratioToBare: null,
        p50Ms: 40,
        p99Ms: 80,
        lost: 0,
        hostCpuPercent: 80,
        cpuSecondsPer1000: { host: 0.2, pipeline: 0.4 },
      },
      {
        hostFunctions: 'ingest',
        connections: 64,
        runs: 3,
        requestsPerSecond: 2600,
        ratioToBare: 1.3,
        p50Ms: 30,
        p99Ms: 60,
        lost: 1,
        hostCpuPercent: 80,
        cpuSecondsPer1000: { host: 0.154, pipeline: 0.308 },
      },
      {
        hostFunctions: 'ingest',
        connections: 16,
        runs: 1,
        requestsPerSecond: 1200,
        ratioToBare: null,
        p50Ms: 10,
        p99Ms: 20,
        lost: 0,
        hostCpuPercent: 80,
        cpuSecondsPer1000: { host: 0.333, pipeline: 0.667 },
      },
    ]);
  });

  it('averages the middle two of an even number of runs', () => {
    const [row] = summarise([run('ingest', 64, 1000, 10), run('ingest', 64, 2000, 30)]);
    expect(row.requestsPerSecond).toBe(1500);
    expect(row.p99Ms).toBe(20);
  });
});
