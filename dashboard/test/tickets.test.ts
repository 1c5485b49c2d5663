import { comparator, matchesQuery, mergeRows, NO_FILTER, rowFromLiveEvent, upsertRow } from '../src/state/tickets';
import { liveEvent, ticketRow } from './fixtures';

describe('the live ticket list', () => {
  it('puts a new ticket on top, newest first', () => {
    const rows = [ticketRow(5), ticketRow(3)];
    const { rows: next, changed } = upsertRow(rows, rowFromLiveEvent(liveEvent(7)));
    expect(changed).toBe(true);
    expect(next.map((r) => r.webhookId)).toEqual([7, 5, 3]);
    expect(rows.map((r) => r.webhookId)).toEqual([5, 3]);
  });

  it('an update for a ticket number replaces its row (one row per ticket), keeping when it was first seen', () => {
    const rows = [ticketRow(5), ticketRow(3)];
    const update = liveEvent(
      9,
      { number: 'T3', status: 'cancelled', cancellationReason: 'order_mistake' },
      'ticket_updated',
    );
    const { rows: next } = upsertRow(rows, rowFromLiveEvent(update, rows[1]));
    expect(next.map((r) => [r.number, r.webhookId, r.status])).toEqual([
      ['T3', 9, 'cancelled'],
      ['T5', 5, 'valid'],
    ]);
    expect(next[0].cancellationReason).toBe('order_mistake');
    expect(next[0].firstSeenAt).toBe('2026-03-01T20:00:00.000Z');
    expect(next[0].buyerRole).toBe('customer');
  });

  it('an older state never overwrites a newer one, and a replay changes nothing', () => {
    const rows = [ticketRow(8, { number: 'T1', status: 'cancelled' })];
    const older = upsertRow(rows, rowFromLiveEvent(liveEvent(4, { number: 'T1' })));
    expect(older.changed).toBe(false);
    expect(older.rows).toEqual(rows);
    const replay = upsertRow(rows, ticketRow(8, { number: 'T1', status: 'cancelled' }));
    expect(replay.changed).toBe(false);
  });

  it('inserts out-of-order arrivals at their place and never cuts the list', () => {
    let rows = [ticketRow(10), ticketRow(6)];
    rows = upsertRow(rows, ticketRow(8)).rows;
    expect(rows.map((r) => r.webhookId)).toEqual([10, 8, 6]);
    rows = upsertRow(rows, ticketRow(12)).rows;
    expect(rows.map((r) => r.webhookId)).toEqual([12, 10, 8, 6]);
  });

  it('keeps the order of the query it answers', () => {
    const byPrice = { ...NO_FILTER, sort: '-price' as const };
    let rows = mergeRows(
      [],
      [
        ticketRow(1, { price: { amount: '5.00', currency: 'CHF' } }),
        ticketRow(2, { price: { amount: '50.00', currency: 'CHF' } }),
      ],
      byPrice,
    );
    rows = upsertRow(rows, ticketRow(3, { price: { amount: '20.00', currency: 'CHF' } }), byPrice).rows;
    expect(rows.map((r) => r.number)).toEqual(['T2', 'T3', 'T1']);
    const sorted = [ticketRow(4, { number: 'B' }), ticketRow(5, { number: 'A' })].sort(comparator('number'));
    expect(sorted.map((r) => r.number)).toEqual(['A', 'B']);
  });

  it('merges an API page without duplicating rows', () => {
    const rows = [ticketRow(5), ticketRow(3)];
    const merged = mergeRows(rows, [ticketRow(6), ticketRow(5), ticketRow(4, { number: 'T3' })]);
    expect(merged.map((r) => [r.number, r.webhookId])).toEqual([
      ['T6', 6],
      ['T5', 5],
      ['T3', 4],
    ]);
  });

  it('matches a row against a query the way the API filters', () => {
    const row = ticketRow(1, {
      number: 'ABC123',
      title: 'Jazz Night',
      eventId: 4,
      category: 'Door',
      status: 'valid',
      firstSeenAt: '2026-03-01T20:00:00.000Z',
    });
    expect(matchesQuery(row, NO_FILTER)).toBe(true);
    expect(matchesQuery(row, { ...NO_FILTER, event: '4', category: 'Door', status: 'valid' })).toBe(true);
    expect(matchesQuery(row, { ...NO_FILTER, event: '5' })).toBe(false);
    expect(matchesQuery(row, { ...NO_FILTER, status: 'cancelled' })).toBe(false);
    expect(matchesQuery(row, { ...NO_FILTER, q: 'c12' })).toBe(true);
    expect(matchesQuery(row, { ...NO_FILTER, q: 'JAZZ' })).toBe(true);
    expect(matchesQuery(row, { ...NO_FILTER, q: 'rock' })).toBe(false);
    expect(matchesQuery(row, { ...NO_FILTER, from: '2026-03-01T20:00:00.000Z' })).toBe(true);
    expect(matchesQuery(row, { ...NO_FILTER, to: '2026-03-01T20:00:00.000Z' })).toBe(false);
  });
});
