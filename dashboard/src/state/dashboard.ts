import type { LiveEvent, Stats, TicketPage, TicketRow } from '../types';
import { applyDelta, emptyKpis, kpisFromStats, ticketDelta, type KpiDelta, type Kpis, type TicketFacts } from './kpis';
import { pruneBuckets } from './salesPerMinute';
import { NO_FILTER, mergeRows, rowFromLiveEvent, upsertInto, type EventChoice, type TicketQuery } from './tickets';

/**
 * The whole live state, advanced by pure functions. KPIs are the API's stats (the baseline,
 * which counts exactly the live events up to its `asOfSeq`, the `watermark`) plus the deltas of
 * live events above it. Re-baselining replaces the stats and drops the deltas the new stats
 * already count, at any moment: the stats say which events they hold.
 */
export interface DashboardState {
  loaded: boolean;
  rows: TicketRow[];
  /** The API's cursor to the query's next page; null at its end. */
  nextCursor: string | null;
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
  /** What the table shows: rows are this query's answer, kept in its order as events arrive. */
  query: TicketQuery;
  /** Every event known (from the stats and from live tickets), by eventId. */
  events: ReadonlyMap<number, EventChoice>;
}

export type LiveOutcome = 'applied' | 'duplicate' | 'stale' | 'buffered';

export function initialState(query: TicketQuery = NO_FILTER): DashboardState {
  return {
    loaded: false,
    rows: [],
    nextCursor: null,
    known: new Map(),
    seen: new Map(),
    watermark: 0,
    baseline: emptyKpis(),
    applied: [],
    kpis: emptyKpis(),
    pipeline: { webhooksLastMinute: 0, webhooksPerSecond: 0, errorsTotal: 0 },
    generatedAt: null,
    pending: [],
    query,
    events: new Map(),
  };
}

function choiceOf(e: {
  eventId: number;
  event: string;
  sessionDate?: string | null;
  venue?: string | null;
  city?: string | null;
}): EventChoice {
  return {
    eventId: e.eventId,
    event: e.event,
    sessionDate: e.sessionDate ?? null,
    venue: e.venue ?? null,
    city: e.city ?? null,
  };
}

/** The stats' event list (all events) over what is known; live-only events are kept. */
function withStatsEvents(events: DashboardState['events'], stats: Stats): Map<number, EventChoice> {
  const next = new Map(events);
  for (const e of stats.events ?? stats.byEvent) next.set(e.eventId, choiceOf(e));
  return next;
}

function factsOf(row: TicketRow | LiveEvent['ticket'], webhookId: number): TicketFacts & { webhookId: number } {
  return {
    status: row.status,
    price: row.price,
    category: row.category,
    eventId: row.eventId,
    event: row.event,
    webhookId,
  };
}

function withKnownRows(
  known: DashboardState['known'],
  rows: readonly TicketRow[],
): Map<string, TicketFacts & { webhookId: number }> {
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
  const next: DashboardState = {
    ...state,
    loaded: true,
    rows: mergeRows([], page.items, state.query),
    nextCursor: page.nextCursor,
    known: withKnownRows(new Map(), page.items),
    seen: new Map(),
    watermark: stats.asOfSeq,
    baseline: kpisFromStats(stats),
    applied: [],
    kpis: kpisFromStats(stats),
    pipeline: stats.pipeline,
    generatedAt: stats.generatedAt,
    pending: [],
    events: withStatsEvents(state.events, stats),
  };
  return applyLiveEvents(next, state.pending).state;
}

/** The parts of the state a batch of live events changes, copied once per batch. */
interface Draft {
  rows: TicketRow[];
  known: Map<string, TicketFacts & { webhookId: number }>;
  seen: Map<number, number>;
  applied: Array<{ id: number; seq: number; delta: KpiDelta }>;
  kpis: Kpis;
  /** The state's own map until a new event appears, then a copy (copy on write). */
  events: ReadonlyMap<number, EventChoice>;
}

function applyInto(draft: Draft, state: DashboardState, event: LiveEvent): LiveOutcome {
  if (draft.seen.has(event.id)) return 'duplicate';
  const counted = event.seq <= state.watermark;
  if (!counted) draft.seen.set(event.id, event.seq);
  const number = event.ticket.number;
  if (!draft.events.has(event.ticket.eventId)) {
    // Copied only when an event is new, so the filter's event list does not re-render per frame.
    const events = draft.events === state.events ? new Map(state.events) : (draft.events as Map<number, EventChoice>);
    events.set(event.ticket.eventId, choiceOf(event.ticket));
    draft.events = events;
  }
  const previous = draft.known.get(number);
  // Already known at this state or newer (a replay, or the API page was newer). The projection
  // keeps the newer webhook too, so the KPIs do not move either.
  if (previous && previous.webhookId >= event.id) return event.id === previous.webhookId ? 'duplicate' : 'stale';
  const existingRow = draft.rows.find((r) => r.number === number);
  upsertInto(draft.rows, rowFromLiveEvent(event, existingRow), state.query);
  draft.known.set(number, factsOf(event.ticket, event.id));
  // Counted: the baseline stats already hold it, only the table and the known state move.
  if (counted) return 'applied';
  const delta = ticketDelta(previous, factsOf(event.ticket, event.id), event.receivedAt);
  draft.applied.push({ id: event.id, seq: event.seq, delta });
  draft.kpis = applyDelta(draft.kpis, delta);
  return 'applied';
}

/**
 * Live events in a batch (all that arrived within one animation frame): the table rows replaced
 * or added, the KPIs moved, duplicates ignored. The maps and the rows are copied once per batch,
 * not per event: at a presale's rate that copying was most of the work.
 */
export function applyLiveEvents(
  state: DashboardState,
  events: readonly LiveEvent[],
): { state: DashboardState; outcomes: LiveOutcome[] } {
  if (events.length === 0) return { state, outcomes: [] };
  if (!state.loaded) {
    const pending = [...state.pending];
    const outcomes = events.map((event): LiveOutcome => {
      if (pending.some((e) => e.id === event.id)) return 'duplicate';
      pending.push(event);
      return 'buffered';
    });
    return { state: { ...state, pending }, outcomes };
  }
  const draft: Draft = {
    rows: state.rows.slice(),
    known: new Map(state.known),
    seen: new Map(state.seen),
    applied: state.applied.slice(),
    kpis: state.kpis,
    events: state.events,
  };
  const outcomes = events.map((event) => applyInto(draft, state, event));
  if (outcomes.every((o) => o === 'duplicate')) return { state, outcomes };
  return { state: { ...state, ...draft }, outcomes };
}

/** One live event (see applyLiveEvents). */
export function applyLiveEvent(
  state: DashboardState,
  event: LiveEvent,
): { state: DashboardState; outcome: LiveOutcome } {
  const { state: next, outcomes } = applyLiveEvents(state, [event]);
  return { state: next, outcome: outcomes[0] };
}

/**
 * Fresh stats (and, after a reconnect, a fresh first page read before them): the new baseline
 * counts every live event up to its asOfSeq; deltas above it are kept and re-applied. Stats
 * older than the current baseline (an answer overtaken by a later one) only refresh the
 * pipeline figures.
 */
export function rebaseline(state: DashboardState, stats: Stats, page?: TicketPage): DashboardState {
  if (!state.loaded) return page ? loadBaseline(state, stats, page) : state;
  const rows = page ? mergeRows(state.rows, page.items, state.query) : state.rows;
  const known = page ? withKnownRows(state.known, page.items) : state.known;
  const events = withStatsEvents(state.events, stats);
  if (stats.asOfSeq < state.watermark)
    return { ...state, rows, known, events, pipeline: stats.pipeline, generatedAt: stats.generatedAt };
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
    events,
    pipeline: stats.pipeline,
    generatedAt: stats.generatedAt,
  };
}

/** The next page of the query ("load more"): merged in its place; loaded rows are kept. */
export function appendOlder(state: DashboardState, page: TicketPage): DashboardState {
  return {
    ...state,
    rows: mergeRows(state.rows, page.items, state.query),
    known: withKnownRows(state.known, page.items),
    nextCursor: page.nextCursor,
  };
}

/** Keeps the sales-per-minute buckets to the chart's window. */
export function pruneSales(state: DashboardState, now: number, minutes = 60): DashboardState {
  return { ...state, kpis: { ...state.kpis, salesPerMinute: pruneBuckets(state.kpis.salesPerMinute, now, minutes) } };
}

/**
 * A new question to the table (filters, search, sort): its first page replaces the rows, and
 * live events from now on are kept only if they match it.
 */
export function withQuery(state: DashboardState, query: TicketQuery, page: TicketPage): DashboardState {
  const scoped = { ...state, query };
  return {
    ...scoped,
    rows: mergeRows([], page.items, query),
    known: withKnownRows(state.known, page.items),
    nextCursor: page.nextCursor,
  };
}
