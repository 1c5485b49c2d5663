import { filterOptions, filterRows, mergeRows, rowFromLiveEvent, upsertRow } from '../src/state/tickets';
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
    const update = liveEvent(9, { number: 'T3', status: 'cancelled', cancellationReason: 'order_mistake' }, 'ticket_updated');
    const { rows: next, replaced } = upsertRow(rows, rowFromLiveEvent(update, rows[1]));
    expect(next.map((r) => [r.number, r.webhookId, r.status])).toEqual([
      ['T3', 9, 'cancelled'],
      ['T5', 5, 'valid'],
    ]);
    expect(next[0].cancellationReason).toBe('order_mistake');
    expect(next[0].firstSeenAt).toBe('2026-03-01T20:00:00.000Z');
    expect(next[0].buyerRole).toBe('customer');
    expect(replaced?.webhookId).toBe(3);
  });

  it('an older state never overwrites a newer one, and a replay changes nothing', () => {
    const rows = [ticketRow(8, { number: 'T1', status: 'cancelled' })];
    const older = upsertRow(rows, rowFromLiveEvent(liveEvent(4, { number: 'T1' })));
    expect(older.changed).toBe(false);
    expect(older.rows).toEqual(rows);
    const replay = upsertRow(rows, ticketRow(8, { number: 'T1', status: 'cancelled' }));
    expect(replay.changed).toBe(false);
  });

  it('inserts out-of-order arrivals at their place and bounds the list', () => {
    let rows = [ticketRow(10), ticketRow(6)];
    rows = upsertRow(rows, ticketRow(8)).rows;
    expect(rows.map((r) => r.webhookId)).toEqual([10, 8, 6]);
    rows = upsertRow(rows, ticketRow(12), 3).rows;
    expect(rows.map((r) => r.webhookId)).toEqual([12, 10, 8]);
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

  it('filters by event and category', () => {
    const rows = [
      ticketRow(1, { eventId: 1, category: 'Presale' }),
      ticketRow(2, { eventId: 2, event: 'Event B', category: 'Presale' }),
      ticketRow(3, { eventId: 2, event: 'Event B', category: 'Door' }),
    ];
    expect(filterRows(rows, { eventId: '', category: '' })).toHaveLength(3);
    expect(filterRows(rows, { eventId: '2', category: '' }).map((r) => r.webhookId)).toEqual([2, 3]);
    expect(filterRows(rows, { eventId: '2', category: 'Door' }).map((r) => r.webhookId)).toEqual([3]);
    expect(filterRows(rows, { eventId: '', category: 'Presale' }).map((r) => r.webhookId)).toEqual([1, 2]);
  });

  it('offers every event and category known from the rows and the stats, sorted', () => {
    const rows = [ticketRow(1, { category: 'Presale' }), ticketRow(2, { eventId: 2, event: 'Apéro', category: 'Door' })];
    const options = filterOptions(rows, { events: [{ eventId: 3, event: 'Zénith' }], categories: ['VIP'] });
    expect(options.events).toEqual([
      { eventId: 2, event: 'Apéro' },
      { eventId: 1, event: 'Event A' },
      { eventId: 3, event: 'Zénith' },
    ]);
    expect(options.categories).toEqual(['Door', 'Presale', 'VIP']);
  });
});
