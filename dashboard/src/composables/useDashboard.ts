import { computed, ref, shallowRef } from 'vue';
import { errorText } from '../api';
import {
  appendOlder,
  applyLiveEvents,
  initialState,
  loadBaseline,
  pruneSales,
  rebaseline,
  withQuery,
} from '../state/dashboard';
import { kpiView } from '../state/kpis';
import { lastMinutes } from '../state/salesPerMinute';
import type { TicketQuery } from '../state/tickets';
import type { LiveEvent } from '../types';
import { useApi } from './useApi';
import { useFrameBatch } from './useFrameBatch';
import { useLiveRate } from './useLiveRate';
import { useThrottled } from './useThrottled';
import { useTicketStream } from './useTicketStream';

export interface DashboardOptions {
  /** How often the stats are re-read (pipeline figures, and healing any drift). */
  statsEveryMs?: number;
  /** How long a new or changed row stays highlighted. */
  highlightMs?: number;
  /** How often, at most, the charts redraw (each redraw measures and paints three canvases). */
  chartEveryMs?: number;
}

/**
 * The live dashboard: opens the stream first (events are buffered), then loads the baseline,
 * then keeps both in step. Live events are applied in one batch per animation frame. Everything
 * it computes lives in the pure state modules.
 */
export function useDashboard(options: DashboardOptions = {}) {
  const statsEveryMs = options.statsEveryMs ?? 10_000;
  const highlightMs = options.highlightMs ?? 2_500;
  const api = useApi();
  const state = shallowRef(initialState());
  const loadError = ref<string | null>(null);
  /** The raw text of the last failure, shown only on demand. */
  const errorDetail = ref<string | null>(null);
  const refreshError = ref<string | null>(null);
  /** When the figures were last confirmed by the API or the live stream. */
  const confirmedAt = ref<number | null>(null);
  const now = ref(Date.now());
  /** Webhook ids of rows that just arrived live, for the brief highlight. */
  const fresh = ref<ReadonlySet<number>>(new Set());
  /** When each highlight ends, oldest first. */
  let expiries: Array<{ id: number; at: number }> = [];
  const rate = useLiveRate();

  /**
   * New highlights and ended ones in one update, done with the frame's batch (and by the clock
   * when the stream is quiet): a timer per batch re-rendered the table once more per batch.
   */
  function highlight(ids: number[], now = Date.now()): void {
    const ended = expiries.findIndex((e) => e.at > now);
    const expired = ended < 0 ? expiries : expiries.slice(0, ended);
    if (ids.length === 0 && expired.length === 0) return;
    expiries = expiries.slice(expired.length).concat(ids.map((id) => ({ id, at: now + highlightMs })));
    const next = new Set(fresh.value);
    for (const e of expired) next.delete(e.id);
    for (const id of ids) next.add(id);
    fresh.value = next;
  }

  const batch = useFrameBatch<LiveEvent>((events) => {
    const { state: next, outcomes } = applyLiveEvents(state.value, events);
    state.value = next;
    highlight(events.filter((_, i) => outcomes[i] === 'applied').map((e) => e.id));
    confirmedAt.value = Date.now();
  });

  function onEvent(event: LiveEvent): void {
    rate.count();
    batch.push(event);
  }

  function failed(error: unknown, into: typeof loadError): void {
    into.value = errorText(error);
    errorDetail.value = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }

  async function load(): Promise<void> {
    loadError.value = null;
    try {
      const { stats, page } = await api.loadBaseline(state.value.query);
      batch.flush();
      state.value = loadBaseline(state.value, stats, page);
      confirmedAt.value = Date.now();
    } catch (error) {
      failed(error, loadError);
    }
  }

  /**
   * Re-reads stats (and the query's first page after a reconnect, to fill anything the stream
   * missed). The stats say up to which live event they count, so they replace the KPIs at any
   * moment, however busy the stream.
   */
  async function refresh(withPage: boolean): Promise<void> {
    if (!state.value.loaded) return load();
    try {
      if (withPage) {
        const { stats, page } = await api.loadBaseline(state.value.query);
        batch.flush();
        state.value = rebaseline(state.value, stats, page);
      } else {
        const stats = await api.loadStats();
        batch.flush();
        state.value = rebaseline(state.value, stats);
      }
      refreshError.value = null;
      confirmedAt.value = Date.now();
    } catch (error) {
      failed(error, refreshError);
    }
  }

  async function loadOlder(): Promise<void> {
    const cursor = state.value.nextCursor;
    if (cursor == null) return;
    try {
      const page = await api.loadPage(state.value.query, cursor);
      batch.flush();
      state.value = appendOlder(state.value, page);
    } catch (error) {
      failed(error, refreshError);
    }
  }

  /** Asks the API the table's new question; the latest question wins over slower answers. */
  let asked = 0;
  async function setQuery(query: TicketQuery): Promise<void> {
    const mine = (asked += 1);
    try {
      const page = await api.loadPage(query, null);
      if (mine !== asked) return;
      batch.flush();
      state.value = withQuery(state.value, query, page);
      refreshError.value = null;
    } catch (error) {
      if (mine === asked) failed(error, refreshError);
    }
  }

  const stream = useTicketStream({ onEvent, onResumed: () => void refresh(true) });
  const connection = stream.state;
  void load();

  const statsTimer = setInterval(() => {
    now.value = Date.now();
    state.value = pruneSales(state.value, now.value);
    void refresh(false);
  }, statsEveryMs);
  const clockTimer = setInterval(() => {
    now.value = Date.now();
    highlight([], now.value);
  }, 1_000);

  const kpis = computed(() => kpiView(state.value.kpis));
  // Each chart follows the figures at most once per chartEveryMs, the three a third of a period
  // apart: redrawing all three canvases in one task made one long task every period.
  const every = options.chartEveryMs ?? 1_000;
  const source = () => [state.value.kpis, Math.floor(now.value / 60_000)];
  const salesChart = useThrottled(source, () => lastMinutes(state.value.kpis.salesPerMinute, Date.now(), 60), every, 0);
  const categoryChart = useThrottled(source, () => kpiView(state.value.kpis).byCategory, every, every / 3);
  const eventChart = useThrottled(source, () => kpiView(state.value.kpis).byEvent, every, (2 * every) / 3);

  function close(): void {
    clearInterval(statsTimer);
    clearInterval(clockTimer);
    batch.close();
    salesChart.close();
    categoryChart.close();
    eventChart.close();
    rate.close();
    stream.close();
    api.close();
  }

  return {
    state,
    kpis,
    charts: { salesPerMinute: salesChart.value, byCategory: categoryChart.value, byEvent: eventChart.value },
    liveRate: rate.rate,
    fresh,
    now,
    confirmedAt,
    loading: api.loading,
    loadError,
    errorDetail,
    refreshError,
    connection,
    connectionSince: stream.since,
    retry: load,
    loadOlder,
    setQuery,
    close,
  };
}

/** The live dashboard the shell keeps for the whole visit, handed to the tickets view. */
export type Dashboard = ReturnType<typeof useDashboard>;
