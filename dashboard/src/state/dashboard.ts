import type { LiveEvent, Stats, TicketPage, TicketRow } from '../types';
import { applyDelta, emptyKpis, kpisFromStats, ticketDelta, type KpiDelta, type Kpis, type TicketFacts } from './kpis';
import { pruneBuckets } from './salesPerMinute';
import { DEFAULT_ROW_LIMIT, mergeRows, rowFromLiveEvent, upsertRow } from './tickets';

/**
 * The whole live state, advanced by pure functions. KPIs are the API's stats (the baseline,
 * which covers every webhook up to `watermark`) plus the deltas of live events above it.
 * Re-baselining replaces the stats and drops the deltas the new stats already contain. The
 * stats cannot say which webhooks they include, so the caller re-baselines only when the stream
 * has caught up (after a reconnect, or while no event is in flight); that heals any drift.
 */
export interface DashboardState {
  loaded: boolean;
  rows: TicketRow[];
  nextBefore: number | null;
  /** Newest known state of every ticket seen, for the deltas of later updates. */
  known: ReadonlyMap<string, TicketFacts & { webhookId: number }>;
  /** Live event ids above the watermark already applied: the dedupe set. */
  seen: ReadonlySet<number>;
  watermark: number;
  baseline: Kpis;
  applied: ReadonlyArray<{ id: number; delta: KpiDelta }>;
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
    seen: new Set(),
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
 * The first load: stats and the newest page. `watermark` is the highest live event id
 * received before the requests went out (those are surely in the stats); the page's newest
 * webhook id raises it.
 */
export function loadBaseline(state: DashboardState, stats: Stats, page: TicketPage, watermark = 0): DashboardState {
  const pageTop = page.items.reduce((max, r) => Math.max(max, r.webhookId), 0);
  const mark = Math.max(watermark, pageTop);
  let next: DashboardState = {
    ...state,
    loaded: true,
    rows: mergeRows([], page.items, state.rowLimit),
    nextBefore: page.nextBefore,
    known: withKnownRows(new Map(), page.items),
    seen: new Set(),
    watermark: mark,
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
  const number = event.ticket.number;
  const previous = state.known.get(number);
  const existingRow = state.rows.find((r) => r.number === number);
  const upsert = upsertRow(state.rows, rowFromLiveEvent(event, existingRow), state.rowLimit);
  if (previous && previous.webhookId >= event.id) {
    // Already known at this state or newer (a replay, or the API page was newer).
    return { state: event.id > state.watermark ? { ...state, seen: new Set(state.seen).add(event.id) } : state, outcome: event.id === previous.webhookId ? 'duplicate' : 'stale' };
  }
  const known = new Map(state.known).set(number, factsOf(event.ticket, event.id));
  if (event.id <= state.watermark) {
    // The baseline stats already count it: only the table and the known state move.
    return { state: { ...state, rows: upsert.rows, known }, outcome: 'applied' };
  }
  const delta = ticketDelta(previous, factsOf(event.ticket, event.id), event.receivedAt);
  return {
    state: {
      ...state,
      rows: upsert.rows,
      known,
      seen: new Set(state.seen).add(event.id),
      applied: [...state.applied, { id: event.id, delta }],
      kpis: applyDelta(state.kpis, delta),
    },
    outcome: 'applied',
  };
}

/**
 * Fresh stats (and optionally a fresh first page, after a reconnect): the new baseline covers
 * every webhook up to `watermark`; deltas above it are kept and re-applied.
 */
export function rebaseline(state: DashboardState, stats: Stats, watermark: number, page?: TicketPage): DashboardState {
  if (!state.loaded) return page ? loadBaseline(state, stats, page, watermark) : state;
  // The page is read after the stats, so it holds everything they count: its newest webhook
  // raises the mark (never counting twice; at worst a ticket counted late, at the next quiet refresh).
  const pageTop = page ? page.items.reduce((max, r) => Math.max(max, r.webhookId), 0) : 0;
  const mark = Math.max(watermark, state.watermark, pageTop);
  const applied = state.applied.filter((a) => a.id > mark);
  const baseline = kpisFromStats(stats);
  const kpis = applied.reduce((k, a) => applyDelta(k, a.delta), baseline);
  const rows = page ? mergeRows(state.rows, page.items, state.rowLimit) : state.rows;
  return {
    ...state,
    rows,
    known: page ? withKnownRows(state.known, page.items) : state.known,
    seen: new Set([...state.seen].filter((id) => id > mark)),
    watermark: mark,
    baseline,
    applied,
    kpis,
    pipeline: stats.pipeline,
    generatedAt: stats.generatedAt,
  };
}

/** Fresh pipeline figures only, KPIs untouched (stats read while live events are in flight). */
export function updatePipeline(state: DashboardState, stats: Stats): DashboardState {
  return { ...state, pipeline: stats.pipeline, generatedAt: stats.generatedAt };
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

/** The highest live event id applied so far. */
export function highestSeen(state: DashboardState): number {
  let max = state.watermark;
  for (const id of state.seen) if (id > max) max = id;
  return max;
}

/** Keeps the sales-per-minute buckets to the chart's window. */
export function pruneSales(state: DashboardState, now: number, minutes = 60): DashboardState {
  return { ...state, kpis: { ...state.kpis, salesPerMinute: pruneBuckets(state.kpis.salesPerMinute, now, minutes) } };
}
