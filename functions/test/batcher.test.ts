import { Batcher, type BatcherOptions } from '../src/core/batcher';

/** A Batcher whose run answers each item with itself and records the batches it was given. */
function echoBatcher(options: BatcherOptions): { batcher: Batcher<number, number>; runs: number[][] } {
  const runs: number[][] = [];
  const batcher = new Batcher<number, number>(async (items) => {
    runs.push(items);
    return items;
  }, options);
  return { batcher, runs };
}

describe('Batcher', () => {
  it('groups calls made together into one run and answers each in order', async () => {
    const runs: number[][] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        runs.push(items);
        return items.map((i) => i * 10);
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    const results = await Promise.all([1, 2, 3, 4].map((i) => batcher.add(i)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(runs).toEqual([[1, 2, 3, 4]]);
  });

  it('respects maxBatch and maxInFlight', async () => {
    let inFlight = 0;
    let peak = 0;
    const sizes: number[] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        sizes.push(items.length);
        await new Promise((r) => setTimeout(r, 5));
        inFlight -= 1;
        return items;
      },
      { maxBatch: 3, maxInFlight: 2 },
    );
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.add(i)));
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(peak).toBeLessThanOrEqual(2);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('with lingerMs, waits that long after the first item so that later ones join its run', async () => {
    const { batcher, runs } = echoBatcher({ maxBatch: 10, maxInFlight: 1, lingerMs: 200 });
    const first = batcher.add(1);
    // Several turns of the event loop later: without the linger, 1 would have run alone by now.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toEqual([]);
    await expect(Promise.all([first, batcher.add(2), batcher.add(3)])).resolves.toEqual([1, 2, 3]);
    expect(runs).toEqual([[1, 2, 3]]);
  });

  it('does not linger over a full batch', async () => {
    const { batcher, runs } = echoBatcher({ maxBatch: 2, maxInFlight: 1, lingerMs: 60_000 });
    // A full batch runs on the next turn; a linger of a minute would outlast the test's timeout.
    await expect(Promise.all([batcher.add(1), batcher.add(2)])).resolves.toEqual([1, 2]);
    expect(runs).toEqual([[1, 2]]);
  });

  it('rejects every item of a failed run, and keeps working afterwards', async () => {
    let fail = true;
    const batcher = new Batcher<number, number>(
      async (items) => {
        if (fail) throw new Error('down');
        return items;
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    await expect(Promise.all([batcher.add(1), batcher.add(2)])).rejects.toThrow('down');
    fail = false;
    await expect(batcher.add(3)).resolves.toBe(3);
  });

  it('rejects when a run returns the wrong number of results', async () => {
    const batcher = new Batcher<number, number>(async () => [], { maxBatch: 10, maxInFlight: 1 });
    await expect(batcher.add(1)).rejects.toThrow(/0 results for 1 items/);
  });
});
