import {
  age,
  count,
  dateTime,
  eventLabel,
  minuteLabel,
  sessionDate,
  zonedDayStart,
  zonedToday,
  zoneName,
} from '../src/format';

describe('display formatting', () => {
  it('keeps the Swiss grouping', () => {
    expect(count(1234567)).toBe('1\u2019234\u2019567');
    expect(count(12)).toBe('12');
  });

  it('shows times in the chosen zone, Europe/Zurich by default', () => {
    // 20:30 UTC in winter is 21:30 in Zurich.
    expect(minuteLabel('2026-11-30T20:30:00.000Z')).toBe('21:30');
    expect(minuteLabel('2026-11-30T20:30:00.000Z', 'UTC')).toBe('20:30');
    expect(dateTime('2026-07-01T10:00:00.000Z')).toContain('12:00:00');
    expect(zoneName('Europe/Zurich', Date.parse('2026-11-30T12:00:00Z'))).toBe('CET');
    expect(zoneName('Europe/Zurich', Date.parse('2026-07-01T12:00:00Z'))).toBe('CEST');
  });

  it('reads a session date as a calendar date', () => {
    expect(sessionDate('2026-12-12')).toBe('12 Dec 2026');
    expect(sessionDate(null)).toBe('—');
  });

  it('finds when a day starts in a zone, across daylight saving changes', () => {
    expect(zonedDayStart('2026-11-30')).toBe('2026-11-29T23:00:00.000Z');
    expect(zonedDayStart('2026-07-01')).toBe('2026-06-30T22:00:00.000Z');
    // The night the clocks go forward (29 March 2026) starts at CET.
    expect(zonedDayStart('2026-03-29')).toBe('2026-03-28T23:00:00.000Z');
    expect(zonedDayStart('2026-03-30')).toBe('2026-03-29T22:00:00.000Z');
    expect(zonedDayStart('2026-11-30', 'UTC')).toBe('2026-11-30T00:00:00.000Z');
    expect(zonedDayStart('30.11.2026')).toBeNull();
    expect(zonedToday('Europe/Zurich', Date.parse('2026-11-30T23:30:00Z'))).toBe('2026-12-01');
  });

  it('tells same-named events apart by date and venue', () => {
    expect(eventLabel({ event: 'Muse', sessionDate: '2026-12-12', venue: 'Case à Chocs' })).toBe(
      'Muse · 12 Dec 2026 · Case à Chocs',
    );
    expect(eventLabel({ event: 'Muse', sessionDate: null, venue: null, city: 'Bienne' })).toBe('Muse · Bienne');
  });

  it('says an age in words', () => {
    expect(age(12_400)).toBe('12 s');
    expect(age(4 * 60_000)).toBe('4 min');
    expect(age(2 * 3_600_000)).toBe('2 h');
  });
});
