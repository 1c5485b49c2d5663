import { appendOlder, applyLiveEvent, initialState, loadBaseline, rebaseline, type DashboardState } from '../src/state/dashboard';
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
const page = { items: [ticketRow(2), ticketRow(1)], nextBefore: null };

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
    const s = apply(loaded(), liveEvent(3, { number: 'T1', status: 'cancelled', cancellationReason: 'event_cancellation' }, 'ticket_updated'));
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
    const fresh = stats({ ...baselineStats, ticketsSold: 3, revenue: [{ currency: 'CHF', amount: '75.00' }], pipeline: { webhooksLastMinute: 3, webhooksPerSecond: 0.05, errorsTotal: 4 }, asOfSeq: 3 });
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
    const missed = { items: [ticketRow(5), ticketRow(4), ticketRow(3, { firstSeenAt: '2026-03-01T20:15:30.000Z' })], nextBefore: 2 };
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
    s = rebaseline(s, stats({ ...baselineStats, ticketsSold: 4, revenue: [{ currency: 'CHF', amount: '100.00' }], asOfSeq: 4 }));
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
    s = rebaseline(s, stats({ ...baselineStats, ticketsSold: 1, asOfSeq: 2, pipeline: { webhooksLastMinute: 9, webhooksPerSecond: 0.15, errorsTotal: 7 } }));
    expect(s.watermark).toBe(3);
    expect(kpiView(s.kpis).ticketsSold).toBe(3);
    expect(s.pipeline.errorsTotal).toBe(7);
  });

  it('an older webhook relayed after a newer one of the same ticket moves nothing', () => {
    const newer = { ...liveEvent(6, { number: 'T9', status: 'cancelled', cancellationReason: 'stolen' }, 'ticket_updated'), seq: 3 };
    const older = { ...liveEvent(5, { number: 'T9' }), seq: 4 };
    const s = apply(loaded(), newer);
    const { state, outcome } = applyLiveEvent(s, older);
    expect(outcome).toBe('stale');
    expect(kpiView(state.kpis)).toEqual(kpiView(s.kpis));
    expect(state.rows.find((r) => r.number === 'T9')?.status).toBe('cancelled');
  });

  it('appends an older page below', () => {
    const s = appendOlder(loadBaseline(initialState(), baselineStats, { items: [ticketRow(9), ticketRow(8)], nextBefore: 8 }), {
      items: [ticketRow(7), ticketRow(6)],
      nextBefore: null,
    });
    expect(s.rows.map((r) => r.webhookId)).toEqual([9, 8, 7, 6]);
    expect(s.nextBefore).toBeNull();
  });
});
