import fc from 'fast-check';
import { latencyStats, percentile } from '../src/stats';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  test('on 1..100 the p-th percentile is p', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
  });

  test('small samples round the rank up', () => {
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30], 95)).toBe(30);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
  });

  test('no values is an error, not a made-up number', () => {
    expect(() => percentile([], 50)).toThrow('percentile of no values');
  });

  test('at least p% of the samples are at or below it, and fewer than p% strictly below', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 100 }),
        (values, p) => {
          const sorted = [...values].sort((a, b) => a - b);
          const value = percentile(sorted, p);
          expect(sorted.filter((v) => v <= value).length / sorted.length).toBeGreaterThanOrEqual(p / 100);
          expect(sorted.filter((v) => v < value).length / sorted.length).toBeLessThan(p / 100);
        },
      ),
    );
  });
});

describe('latencyStats', () => {
  test('summarises unsorted samples', () => {
    expect(latencyStats([4, 1, 3, 2])).toEqual({ count: 4, min: 1, mean: 2.5, p50: 2, p95: 4, p99: 4, max: 4 });
  });

  test('is null without samples', () => {
    expect(latencyStats([])).toBeNull();
  });

  test('orders min <= p50 <= p95 <= p99 <= max and leaves the input untouched', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (values) => {
          const copy = [...values];
          const stats = latencyStats(values);
          expect(values).toEqual(copy);
          if (!stats) throw new Error('expected stats');
          expect(stats.min).toBeLessThanOrEqual(stats.p50);
          expect(stats.p50).toBeLessThanOrEqual(stats.p95);
          expect(stats.p95).toBeLessThanOrEqual(stats.p99);
          expect(stats.p99).toBeLessThanOrEqual(stats.max);
        },
      ),
    );
  });
});
