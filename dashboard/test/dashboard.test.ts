import {
  appendOlder,
  applyLiveEvent,
  applyLiveEvents,
  initialState,
  loadBaseline,
  rebaseline,
  withQuery,
  type DashboardState,
} from '../src/state/dashboard';
import { NO_FILTER } from '../src/state/tickets';
import { kpiView } from '../src/state/kpis';
import type { LiveEvent } from '../src/types';
import { liveEvent, stats, ticketRow } from './fixtures';

const baselineStats = stats({
  ticketsSold: 2,
  cancellations: 0,
  revenue: [{ currency: 'CHF', amount: '50.00' }],
  averagePrice: [{ currency: 'CHF', amount: '25.00' }],
  byCategory: [{ category: 'Presale', tickets: 2 }],
  byEvent: [{ eventId: 1, event: 'Event A', tickets: 2 }],
  salesPerMinute: [{ minute: '2026-03-01T20:10:00.000Z', tickets: 2 }],
  pipeline: { webhooksLastMinute: 2, webhooksPerSecond: 0.03, errorsTotal: 1 },
  // The fixtures' live events have seq = webhook id: these stats count events 1 and 2.
  asOfSeq: 2,
});
const page = { items: [ticketRow(2), ticketRow(1)], nextCursor: null };

function loaded(): DashboardState {
  return loadBaseline(initialState(), baselineStats, page);
}

function apply(state: DashboardState, ...events: LiveEvent[]): DashboardState {
  return events.reduce((s, e) => applyLiveEvent(s, e).state, state);
}

describe('the dashboard state', () => {
  it('loads the stored history and the stats as the baseline', () => {
    const s = loaded();
    expect(s.rows.map((r) => r.number)).toEqual(['T2', 'T1']);
    expect(s.watermark).toBe(2);
    expect(kpiView(s.kpis).ticketsSold).toBe(2);
    expect(s.pipeline.errorsTotal).toBe(1);
  });

  it('merges a live ticket into the list and the KPIs', () => {
    const s = apply(loaded(), liveEvent(3, { price: { amount: '40.00', currency: 'CHF' } }));
    expect(s.rows.map((r) => r.number)).toEqual(['T3', 'T2', 'T1']);
    const v = kpiView(s.kpis);
    expect(v.ticketsSold).toBe(3);
    expect(v.revenue).toEqual([{ currency: 'CHF', amount: '90.00' }]);
    expect(v.averagePrice).toEqual([{ currency: 'CHF', amount: '30.00' }]);
    expect(s.kpis.salesPerMinute.get('2026-03-01T20:15:00.000Z')).toBe(1);
  });

  it('dedupes by webhook id: the same event twice counts once', () => {
    const once = apply(loaded(), liveEvent(3));
    const { state: twice, outcome } = applyLiveEvent(once, liveEvent(3));
    expect(outcome).toBe('duplicate');
    expect(twice).toBe(once);
    expect(kpiView(twice.kpis).ticketsSold).toBe(3);
    expect(twice.rows).toHaveLength(3);
  });

  it('ignores events the baseline already holds (replayed after a reconnect)', () => {
    const s = loaded();
    const { state, outcome } = applyLiveEvent(s, liveEvent(2));
    expect(outcome).toBe('duplicate');
    expect(kpiView(state.kpis)).toEqual(kpiView(s.kpis));
  });

  it('a cancellation of a ticket from the stored history replaces its row and moves the KPIs', () => {
    const s = apply(
      loaded(),
      liveEvent(3, { number: 'T1', status: 'cancelled', cancellationReason: 'event_cancellation' }, 'ticket_updated'),
    );
    expect(s.rows.map((r) => [r.number, r.status])).toEqual([
      ['T1', 'cancelled'],
      ['T2', 'valid'],
    ]);
    const v = kpiView(s.kpis);
    expect(v.ticketsSold).toBe(1);
    expect(v.cancellations).toBe(1);
    expect(v.cancellationRate).toBe(0.5);
    expect(v.revenue).toEqual([{ currency: 'CHF', amount: '25.00' }]);
  });

  it('buffers events that arrive before the first load and applies those above the watermark', () => {
    let s = initialState();
    s = apply(s, liveEvent(2), liveEvent(3), liveEvent(3));
    expect(s.pending.map((e) => e.id)).toEqual([2, 3]);
    s = loadBaseline(s, baselineStats, page);
    expect(s.rows.map((r) => r.number)).toEqual(['T3', 'T2', 'T1']);
    expect(kpiView(s.kpis).ticketsSold).toBe(3);
    expect(s.pending).toEqual([]);
  });

  it('re-baselining keeps only the live deltas newer than what the new stats cover', () => {
    let s = apply(loaded(), liveEvent(3), liveEvent(4));
    // The new stats count events up to seq 3, not 4.
    const fresh = stats({
      ...baselineStats,
      ticketsSold: 3,
      revenue: [{ currency: 'CHF', amount: '75.00' }],
      pipeline: { webhooksLastMinute: 3, webhooksPerSecond: 0.05, errorsTotal: 4 },
      asOfSeq: 3,
    });
    s = rebaseline(s, fresh);
    const v = kpiView(s.kpis);
    expect(v.ticketsSold).toBe(4);
    expect(v.revenue).toEqual([{ currency: 'CHF', amount: '100.00' }]);
    expect(s.pipeline.errorsTotal).toBe(4);
    expect(s.applied.map((a) => a.id)).toEqual([4]);
    // A replay of 3 after the re-baseline still changes nothing.
    expect(applyLiveEvent(s, liveEvent(3)).outcome).toBe('duplicate');
    expect(kpiView(apply(s, liveEvent(4)).kpis).ticketsSold).toBe(4);
  });

  it('after a reconnect, rows missed by the stream come from the API page, once', () => {
    let s = apply(loaded(), liveEvent(3));
    const missed = {
      items: [ticketRow(5), ticketRow(4), ticketRow(3, { firstSeenAt: '2026-03-01T20:15:30.000Z' })],
      nextCursor: 'c2',
    };
    s = rebaseline(s, stats({ ...baselineStats, ticketsSold: 5, asOfSeq: 5 }), missed);
    expect(s.rows.map((r) => r.number)).toEqual(['T5', 'T4', 'T3', 'T2', 'T1']);
    // The stream then replays them: no duplicate rows, no double count.
    s = apply(s, liveEvent(4), liveEvent(5));
    expect(s.rows.map((r) => r.number)).toEqual(['T5', 'T4', 'T3', 'T2', 'T1']);
    expect(kpiView(s.kpis).ticketsSold).toBe(5);
  });

  it('re-baselines while events are in flight: one the new stats already count moves only the table when it arrives', () => {
    let s = apply(loaded(), liveEvent(3));
    // Stats read while event 4 was between the database and the browser: they count it.
    s = rebaseline(
      s,
      stats({ ...baselineStats, ticketsSold: 4, revenue: [{ currency: 'CHF', amount: '100.00' }], asOfSeq: 4 }),
    );
    expect(kpiView(s.kpis).ticketsSold).toBe(4);
    const { state, outcome } = applyLiveEvent(s, liveEvent(4));
    expect(outcome).toBe('applied');
    expect(state.rows.map((r) => r.number)).toEqual(['T4', 'T3', 'T2', 'T1']);
    expect(kpiView(state.kpis).ticketsSold).toBe(4);
    expect(kpiView(state.kpis).revenue).toEqual([{ currency: 'CHF', amount: '100.00' }]);
    // And the next event counts as usual.
    expect(kpiView(apply(state, liveEvent(5)).kpis).ticketsSold).toBe(5);
  });

  it('stats overtaken by newer ones refresh only the pipeline figures', () => {
    let s = rebaseline(apply(loaded(), liveEvent(3)), stats({ ...baselineStats, ticketsSold: 3, asOfSeq: 3 }));
    s = rebaseline(
      s,
      stats({
        ...baselineStats,
        ticketsSold: 1,
        asOfSeq: 2,
        pipeline: { webhooksLastMinute: 9, webhooksPerSecond: 0.15, errorsTotal: 7 },
      }),
    );
    expect(s.watermark).toBe(3);
    expect(kpiView(s.kpis).ticketsSold).toBe(3);
    expect(s.pipeline.errorsTotal).toBe(7);
  });

  it('an older webhook relayed after a newer one of the same ticket moves nothing', () => {
    const newer = {
      ...liveEvent(6, { number: 'T9', status: 'cancelled', cancellationReason: 'stolen' }, 'ticket_updated'),
      seq: 3,
    };
    const older = { ...liveEvent(5, { number: 'T9' }), seq: 4 };
    const s = apply(loaded(), newer);
    const { state, outcome } = applyLiveEvent(s, older);
    expect(outcome).toBe('stale');
    expect(kpiView(state.kpis)).toEqual(kpiView(s.kpis));
    expect(state.rows.find((r) => r.number === 'T9')?.status).toBe('cancelled');
  });

  it('appends an older page below', () => {
    const s = appendOlder(
      loadBaseline(initialState(), baselineStats, { items: [ticketRow(9), ticketRow(8)], nextCursor: 'c8' }),
      {
        items: [ticketRow(7), ticketRow(6)],
        nextCursor: null,
      },
    );
    expect(s.rows.map((r) => r.webhookId)).toEqual([9, 8, 7, 6]);
    expect(s.nextCursor).toBeNull();
  });

  it('keeps every row the user loaded when live tickets arrive (no cut at 500)', () => {
    const older = Array.from({ length: 800 }, (_, i) => ticketRow(1000 - i, { number: `R${i}` }));
    let s = appendOlder(loaded(), { items: older, nextCursor: 'more' });
    expect(s.rows).toHaveLength(802);
    s = apply(s, liveEvent(2000, { number: 'NEW' }));
    expect(s.rows).toHaveLength(803);
    expect(s.rows[0].number).toBe('NEW');
  });

  it('applies a batch of events as one update, the same as one by one', () => {
    const events = [
      liveEvent(3),
      liveEvent(4, { number: 'T1', status: 'cancelled', cancellationReason: 'stolen' }, 'ticket_updated'),
      liveEvent(3),
      liveEvent(5),
    ];
    const { state: batched, outcomes } = applyLiveEvents(loaded(), events);
    expect(outcomes).toEqual(['applied', 'applied', 'duplicate', 'applied']);
    const single = apply(loaded(), ...events);
    expect(batched.rows).toEqual(single.rows);
    expect(kpiView(batched.kpis)).toEqual(kpiView(single.kpis));
    expect(batched.applied).toEqual(single.applied);
  });

  it('a filtered table keeps only live tickets matching its query, in its order', () => {
    const query = { ...NO_FILTER, status: 'valid' as const, sort: 'price' as const };
    let s = withQuery(loaded(), query, {
      items: [
        ticketRow(1, { price: { amount: '10.00', currency: 'CHF' } }),
        ticketRow(2, { price: { amount: '30.00', currency: 'CHF' } }),
      ],
      nextCursor: null,
    });
    s = apply(s, liveEvent(3, { price: { amount: '20.00', currency: 'CHF' } }));
    expect(s.rows.map((r) => r.number)).toEqual(['T1', 'T3', 'T2']);
    // Cancelled: no longer matches status=valid, so it leaves the table (the KPIs still count it).
    s = apply(s, liveEvent(4, { number: 'T1', status: 'cancelled', cancellationReason: 'stolen' }, 'ticket_updated'));
    expect(s.rows.map((r) => r.number)).toEqual(['T3', 'T2']);
    expect(kpiView(s.kpis).cancellations).toBe(1);
  });

  it('knows events by id with their date and venue, from the stats and from live tickets', () => {
    const s = apply(
      loaded(),
      liveEvent(3, { eventId: 77, event: 'Event A', sessionDate: '2026-12-24', venue: 'Bikini Test' }),
    );
    expect(s.events.get(77)).toEqual({
      eventId: 77,
      event: 'Event A',
      sessionDate: '2026-12-24',
      venue: 'Bikini Test',
      city: expect.anything(),
    });
    expect(s.events.get(1)?.event).toBe('Event A');
  });
});
