import { DatabaseUnavailableError, isOutage, TransientDatabaseError } from '../src/core/errors';
import { runIsolating } from '../src/core/isolate';

/** A run that fails whenever its part holds a bad item, recording every part it was given. */
function recorder(fail: (items: number[]) => unknown) {
  const parts: number[][] = [];
  const run = async (items: number[]) => {
    parts.push(items);
    const error = fail(items);
    if (error) throw error;
    return items.map((i) => i * 10);
  };
  return { parts, run };
}

describe('runIsolating', () => {
  const items = Array.from({ length: 16 }, (_, i) => i);

  it('runs a good batch once', async () => {
    const { parts, run } = recorder(() => null);
    expect(await runIsolating(items, run, isOutage)).toEqual(items.map((i) => i * 10));
    expect(parts).toEqual([items]);
  });

  it('bisects down to the culprits: every other item succeeds, each culprit gets its error', async () => {
    const bad = new Set([5, 11]);
    const { parts, run } = recorder((part) => (part.some((i) => bad.has(i)) ? new Error('refused') : null));
    const results = await runIsolating(items, run, isOutage);
    expect(results.map((r) => (r instanceof Error ? 'error' : r))).toEqual(
      items.map((i) => (bad.has(i) ? 'error' : i * 10)),
    );
    // Far fewer tries than one per item, and every good item stored exactly once.
    expect(parts.length).toBeLessThan(items.length);
    const stored = parts.filter((p) => !p.some((i) => bad.has(i))).flat();
    expect(stored.sort((a, b) => a - b)).toEqual(items.filter((i) => !bad.has(i)));
  });

  it('fails every item at once on an outage, without splitting', async () => {
    const outage = new DatabaseUnavailableError(new Error('ECONNREFUSED'));
    const { parts, run } = recorder(() => outage);
    expect(await runIsolating(items, run, isOutage)).toEqual(items.map(() => outage));
    expect(parts).toHaveLength(1);
  });

  it('stops splitting when an outage starts midway: the rest fail with it untried', async () => {
    const outage = new DatabaseUnavailableError(new Error('gone'));
    const { parts, run } = recorder((part) => (part.length === items.length ? new Error('refused') : outage));
    const results = await runIsolating(items, run, isOutage);
    expect(results).toEqual(items.map(() => outage));
    expect(parts).toHaveLength(2);
  });

  it('splits a batch that lost a race (deadlock) instead of failing it whole', async () => {
    const { run } = recorder((part) =>
      part.length > 4 ? new TransientDatabaseError(new Error('deadlock detected')) : null,
    );
    expect(await runIsolating(items, run, isOutage)).toEqual(items.map((i) => i * 10));
  });
});
