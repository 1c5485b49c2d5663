import { addToBucket, bucketsFrom, lastMinutes, minuteKey, pruneBuckets } from '../src/state/salesPerMinute';

describe('sales per minute', () => {
  it('buckets a time by its minute (UTC)', () => {
    expect(minuteKey('2026-03-01T20:15:59.999Z')).toBe('2026-03-01T20:15:00.000Z');
    expect(minuteKey('2026-03-01T21:15:00+01:00')).toBe('2026-03-01T20:15:00.000Z');
    expect(() => minuteKey('nope')).toThrow(/not a time/);
  });

  it('normalises the API minutes and sums duplicates', () => {
    const b = bucketsFrom([
      { minute: '2026-03-01T20:15:00Z', tickets: 2 },
      { minute: '2026-03-01T20:15:00.000Z', tickets: 1 },
      { minute: '2026-03-01T20:16:00.000Z', tickets: 4 },
    ]);
    expect([...b]).toEqual([
      ['2026-03-01T20:15:00.000Z', 3],
      ['2026-03-01T20:16:00.000Z', 4],
    ]);
  });

  it('adds sales to the minute they were received in, without mutating', () => {
    const before = bucketsFrom([{ minute: '2026-03-01T20:15:00Z', tickets: 2 }]);
    const after = addToBucket(addToBucket(before, '2026-03-01T20:15:42Z', 1), '2026-03-01T20:16:01Z', 1);
    expect(after.get('2026-03-01T20:15:00.000Z')).toBe(3);
    expect(after.get('2026-03-01T20:16:00.000Z')).toBe(1);
    expect(before.get('2026-03-01T20:15:00.000Z')).toBe(2);
  });

  it('lists the window oldest first with zeros filled in', () => {
    const b = bucketsFrom([
      { minute: '2026-03-01T20:13:00Z', tickets: 5 },
      { minute: '2026-03-01T20:15:00Z', tickets: 2 },
      { minute: '2026-03-01T19:00:00Z', tickets: 9 },
    ]);
    const now = Date.parse('2026-03-01T20:15:30Z');
    const window = lastMinutes(b, now, 4);
    expect(window).toEqual([
      { minute: '2026-03-01T20:12:00.000Z', tickets: 0 },
      { minute: '2026-03-01T20:13:00.000Z', tickets: 5 },
      { minute: '2026-03-01T20:14:00.000Z', tickets: 0 },
      { minute: '2026-03-01T20:15:00.000Z', tickets: 2 },
    ]);
    expect(lastMinutes(b, now)).toHaveLength(60);
  });

  it('prunes buckets that left the window', () => {
    const b = bucketsFrom([
      { minute: '2026-03-01T19:00:00Z', tickets: 9 },
      { minute: '2026-03-01T19:16:00Z', tickets: 1 },
      { minute: '2026-03-01T20:15:00Z', tickets: 2 },
    ]);
    const pruned = pruneBuckets(b, Date.parse('2026-03-01T20:15:30Z'), 60);
    expect([...pruned.keys()]).toEqual(['2026-03-01T19:16:00.000Z', '2026-03-01T20:15:00.000Z']);
  });
});
