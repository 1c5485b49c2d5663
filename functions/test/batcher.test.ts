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

  it('with lingerUntil, stops lingering once that many items wait, whether they came before or during the linger', async () => {
    const { batcher, runs } = echoBatcher({ maxBatch: 100, maxInFlight: 1, lingerMs: 60_000, lingerUntil: 3 });
    // Three in one turn: company enough, no linger (a minute would outlast the test's timeout).
    await expect(Promise.all([batcher.add(1), batcher.add(2), batcher.add(3)])).resolves.toEqual([1, 2, 3]);
    const first = batcher.add(4);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toEqual([[1, 2, 3]]);
    // Lingering: the third item to arrive ends the wait.
    const rest = [batcher.add(5), batcher.add(6)];
    await expect(Promise.all([first, ...rest])).resolves.toEqual([4, 5, 6]);
    expect(runs).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('with lingerWhenBusy, lingers only while items have been coming less than lingerMs apart', async () => {
    let clock = 0;
    const { batcher, runs } = echoBatcher({
      maxBatch: 100,
      maxInFlight: 1,
      lingerMs: 200,
      lingerWhenBusy: true,
      now: () => clock,
    });
    const tick = (ms: number) => (clock += ms);
    // No gap seen yet: the first item runs at once; its batch-mates come 1 ms apart (the clock's).
    await Promise.all(Array.from({ length: 5 }, (_, i) => (tick(1), batcher.add(i + 1))));
    expect(runs).toEqual([[1, 2, 3, 4, 5]]);
    // Busy: the next item waits for company, and company joins it.
    tick(1);
    const lingering = batcher.add(6);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toHaveLength(1);
    tick(1);
    await expect(Promise.all([lingering, batcher.add(7)])).resolves.toEqual([6, 7]);
    expect(runs.at(-1)).toEqual([6, 7]);
    // After a long silence: quiet, the lone item runs at once, well before the linger would end.
    tick(60_000);
    const alone = batcher.add(8);
    const settled = await Promise.race([
      alone.then(() => 'ran'),
      new Promise((resolve) => setTimeout(() => resolve('lingered'), 100)),
    ]);
    expect(settled).toBe('ran');
    expect(runs.at(-1)).toEqual([8]);
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
