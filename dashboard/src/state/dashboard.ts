import type { LiveEvent, Stats, TicketPage, TicketRow } from '../types';
import { applyDelta, emptyKpis, kpisFromStats, ticketDelta, type KpiDelta, type Kpis, type TicketFacts } from './kpis';
import { pruneBuckets } from './salesPerMinute';
import { DEFAULT_ROW_LIMIT, mergeRows, rowFromLiveEvent, upsertRow } from './tickets';

/**
 * The whole live state, advanced by pure functions. KPIs are the API's stats (the baseline,
 * which counts exactly the live events up to its `asOfSeq`, the `watermark`) plus the deltas of
 * live events above it. Re-baselining replaces the stats and drops the deltas the new stats
 * already count, at any moment: the stats say which events they hold.
 */
export interface DashboardState {
  loaded: boolean;
  rows: TicketRow[];
  nextBefore: number | null;
  /** Newest known state of every ticket seen, for the deltas of later updates. */
  known: ReadonlyMap<string, TicketFacts & { webhookId: number }>;
  /** Live events above the watermark already handled, webhook id → seq: the dedupe set. */
  seen: ReadonlyMap<number, number>;
  /** The seq the baseline stats cover. */
  watermark: number;
  baseline: Kpis;
  applied: ReadonlyArray<{ id: number; seq: number; delta: KpiDelta }>;
  kpis: Kpis;
  pipeline: Stats['pipeline'];
  generatedAt: string | null;
  /** Events that arrived before the first load, applied by it. */
  pending: readonly LiveEvent[];
  rowLimit: number;
}

export type LiveOutcome = 'applied' | 'duplicate' | 'stale' | 'buffered';

export function initialState(rowLimit = DEFAULT_ROW_LIMIT): DashboardState {
  return {
    loaded: false,
    rows: [],
    nextBefore: null,
    known: new Map(),
    seen: new Map(),
    watermark: 0,
    baseline: emptyKpis(),
    applied: [],
    kpis: emptyKpis(),
    pipeline: { webhooksLastMinute: 0, webhooksPerSecond: 0, errorsTotal: 0 },
    generatedAt: null,
    pending: [],
    rowLimit,
  };
}

function factsOf(row: TicketRow | LiveEvent['ticket'], webhookId: number): TicketFacts & { webhookId: number } {
  return { status: row.status, price: row.price, category: row.category, eventId: row.eventId, event: row.event, webhookId };
}

function withKnownRows(known: DashboardState['known'], rows: readonly TicketRow[]): Map<string, TicketFacts & { webhookId: number }> {
  const next = new Map(known);
  for (const row of rows) {
    const current = next.get(row.number);
    if (!current || current.webhookId < row.webhookId) next.set(row.number, factsOf(row, row.webhookId));
  }
  return next;
}

/**
 * The first load: the newest page, then stats read after it (so the page holds no event above
 * the stats' asOfSeq). Events buffered meanwhile are applied on top.
 */
export function loadBaseline(state: DashboardState, stats: Stats, page: TicketPage): DashboardState {
  let next: DashboardState = {
    ...state,
    loaded: true,
    rows: mergeRows([], page.items, state.rowLimit),
    nextBefore: page.nextBefore,
    known: withKnownRows(new Map(), page.items),
    seen: new Map(),
    watermark: stats.asOfSeq,
    baseline: kpisFromStats(stats),
    applied: [],
    kpis: kpisFromStats(stats),
    pipeline: stats.pipeline,
    generatedAt: stats.generatedAt,
    pending: [],
  };
  for (const event of state.pending) next = applyLiveEvent(next, event).state;
  return next;
}

/** One live event: the table row replaced or added, the KPIs moved, duplicates ignored. */
export function applyLiveEvent(state: DashboardState, event: LiveEvent): { state: DashboardState; outcome: LiveOutcome } {
  if (!state.loaded) {
    if (state.pending.some((e) => e.id === event.id)) return { state, outcome: 'duplicate' };
    return { state: { ...state, pending: [...state.pending, event] }, outcome: 'buffered' };
  }
  if (state.seen.has(event.id)) return { state, outcome: 'duplicate' };
  const counted = event.seq <= state.watermark;
  const seen = counted ? state.seen : new Map(state.seen).set(event.id, event.seq);
  const number = event.ticket.number;
  const previous = state.known.get(number);
  if (previous && previous.webhookId >= event.id) {
    // Already known at this state or newer (a replay, or the API page was newer). The projection
    // keeps the newer webhook too, so the KPIs do not move either.
    return { state: seen === state.seen ? state : { ...state, seen }, outcome: event.id === previous.webhookId ? 'duplicate' : 'stale' };
  }
  const existingRow = state.rows.find((r) => r.number === number);
  const upsert = upsertRow(state.rows, rowFromLiveEvent(event, existingRow), state.rowLimit);
  const known = new Map(state.known).set(number, factsOf(event.ticket, event.id));
  if (counted) {
    // The baseline stats already count it: only the table and the known state move.
    return { state: { ...state, rows: upsert.rows, known }, outcome: 'applied' };
  }
  const delta = ticketDelta(previous, factsOf(event.ticket, event.id), event.receivedAt);
  return {
    state: {
      ...state,
      rows: upsert.rows,
      known,
      seen,
      applied: [...state.applied, { id: event.id, seq: event.seq, delta }],
      kpis: applyDelta(state.kpis, delta),
    },
    outcome: 'applied',
  };
}

/**
 * Fresh stats (and, after a reconnect, a fresh first page read before them): the new baseline
 * counts every live event up to its asOfSeq; deltas above it are kept and re-applied. Stats
 * older than the current baseline (an answer overtaken by a later one) only refresh the
 * pipeline figures.
 */
export function rebaseline(state: DashboardState, stats: Stats, page?: TicketPage): DashboardState {
  if (!state.loaded) return page ? loadBaseline(state, stats, page) : state;
  const rows = page ? mergeRows(state.rows, page.items, state.rowLimit) : state.rows;
  const known = page ? withKnownRows(state.known, page.items) : state.known;
  if (stats.asOfSeq < state.watermark) return { ...state, rows, known, pipeline: stats.pipeline, generatedAt: stats.generatedAt };
  const mark = stats.asOfSeq;
  const applied = state.applied.filter((a) => a.seq > mark);
  const baseline = kpisFromStats(stats);
  const kpis = applied.reduce((k, a) => applyDelta(k, a.delta), baseline);
  return {
    ...state,
    rows,
    known,
    seen: new Map([...state.seen].filter(([, seq]) => seq > mark)),
    watermark: mark,
    baseline,
    applied,
    kpis,
    pipeline: stats.pipeline,
    generatedAt: stats.generatedAt,
  };
}

/** An older page ("load older"): appended below, without the live row limit. */
export function appendOlder(state: DashboardState, page: TicketPage): DashboardState {
  return {
    ...state,
    rows: mergeRows(state.rows, page.items, state.rows.length + page.items.length),
    known: withKnownRows(state.known, page.items),
    nextBefore: page.nextBefore,
  };
}

/** Keeps the sales-per-minute buckets to the chart's window. */
export function pruneSales(state: DashboardState, now: number, minutes = 60): DashboardState {
  return { ...state, kpis: { ...state.kpis, salesPerMinute: pruneBuckets(state.kpis.salesPerMinute, now, minutes) } };
}
