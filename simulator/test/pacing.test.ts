import { createPacer } from '../src/pacer';
import { runPool, type Job } from '../src/pool';
import { createRandom, MAX_SEED } from '../src/random';

describe('createPacer', () => {
  test('spaces slots 1/rate apart when asked all at once', () => {
    const pacer = createPacer(4);
    expect([0, 0, 0, 0].map((now) => pacer.reserve(now))).toEqual([0, 250, 500, 750]);
  });

  test('never waits when requests come slower than the rate', () => {
    const pacer = createPacer(10);
    expect([0, 200, 400, 600].map((now) => pacer.reserve(now))).toEqual([0, 0, 0, 0]);
  });

  test('a stall is not made up for with a burst', () => {
    const pacer = createPacer(2);
    expect(pacer.reserve(0)).toBe(0);
    expect(pacer.reserve(5000)).toBe(0);
    expect(pacer.reserve(5000)).toBe(500);
  });
});

/** A promise resolved by hand, so the tests decide the order in which jobs finish. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
};

describe('runPool', () => {
  function jobs(count: number, dependsOn: Record<number, number> = {}): () => Job<number> | null {
    let index = 0;
    return () => {
      if (index >= count) return null;
      const job: Job<number> = { index, payload: index, dependsOn: dependsOn[index] };
      index += 1;
      return job;
    };
  }

  test('runs every job once, never more than `concurrency` at a time', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await runPool({
      concurrency: 3,
      nextJob: jobs(20),
      perform: async (job) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await flush();
        seen.push(job.index);
        inFlight -= 1;
      },
    });
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
  });

  test('a job waits for the job it depends on, even one still in flight on another worker', async () => {
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const finished: number[] = [];
    const run = runPool({
      concurrency: 3,
      nextJob: jobs(3, { 2: 0 }),
      perform: async (job) => {
        started.push(job.index);
        await (gates[job.index] as { promise: Promise<void> }).promise;
        finished.push(job.index);
      },
    });
    await flush();
    expect(started).toEqual([0, 1]);
    gates[1]?.open();
    await flush();
    expect(started).toEqual([0, 1]);
    gates[0]?.open();
    await flush();
    expect(started).toEqual([0, 1, 2]);
    gates[2]?.open();
    await run;
    expect(finished).toEqual([1, 0, 2]);
  });

  test('stops taking jobs once stopped() says so', async () => {
    const done: number[] = [];
    await runPool({
      concurrency: 1,
      nextJob: jobs(10),
      stopped: () => done.length >= 4,
      perform: async (job) => {
        done.push(job.index);
      },
    });
    expect(done).toEqual([0, 1, 2, 3]);
  });

  test('waits its turn before each job', async () => {
    const order: string[] = [];
    await runPool({
      concurrency: 1,
      nextJob: jobs(2),
      waitTurn: async () => {
        order.push('turn');
      },
      perform: async (job) => {
        order.push(`job ${job.index}`);
      },
    });
    expect(order).toEqual(['turn', 'job 0', 'turn', 'job 1', 'turn']);
  });
});

describe('createRandom', () => {
  test('same seed, same sequence; values in range', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const ints = Array.from({ length: 1000 }, () => a.int(3, 5));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5]));
  });

  test('the extreme seeds work and differ', () => {
    expect(createRandom(0).next()).not.toBe(createRandom(MAX_SEED).next());
  });

  test('pick refuses an empty list', () => {
    expect(() => createRandom(1).pick([])).toThrow('empty');
  });
});
