import { computed, ref, shallowRef } from 'vue';
import { errorText } from '../api';
import { appendOlder, applyLiveEvent, initialState, loadBaseline, pruneSales, rebaseline } from '../state/dashboard';
import { kpiView } from '../state/kpis';
import { lastMinutes } from '../state/salesPerMinute';
import type { LiveEvent } from '../types';
import { useApi } from './useApi';
import { useTicketStream } from './useTicketStream';

export interface DashboardOptions {
  /** How often the stats are re-read (pipeline figures, and healing any drift). */
  statsEveryMs?: number;
  /** How long a new or changed row stays highlighted. */
  highlightMs?: number;
}

/**
 * The live dashboard: opens the stream first (events are buffered), then loads the baseline,
 * then keeps both in step. Everything it computes lives in the pure state modules.
 */
export function useDashboard(options: DashboardOptions = {}) {
  const statsEveryMs = options.statsEveryMs ?? 10_000;
  const highlightMs = options.highlightMs ?? 2_500;
  const api = useApi();
  const state = shallowRef(initialState());
  const loadError = ref<string | null>(null);
  const refreshError = ref<string | null>(null);
  const now = ref(Date.now());
  /** Webhook ids of rows that just arrived live, for the brief highlight. */
  const fresh = ref<ReadonlySet<number>>(new Set());
  const timers = new Set<ReturnType<typeof setTimeout>>();

  function highlight(id: number): void {
    fresh.value = new Set(fresh.value).add(id);
    const timer = setTimeout(() => {
      timers.delete(timer);
      const next = new Set(fresh.value);
      next.delete(id);
      fresh.value = next;
    }, highlightMs);
    timers.add(timer);
  }

  function onEvent(event: LiveEvent): void {
    const { state: next, outcome } = applyLiveEvent(state.value, event);
    state.value = next;
    if (outcome === 'applied') highlight(event.id);
  }

  async function load(): Promise<void> {
    loadError.value = null;
    try {
      const { stats, page } = await api.loadBaseline();
      state.value = loadBaseline(state.value, stats, page);
    } catch (error) {
      loadError.value = errorText(error);
    }
  }

  /**
   * Re-reads stats (and the newest page after a reconnect, to fill anything the stream missed).
   * The stats say up to which live event they count, so they replace the KPIs at any moment,
   * however busy the stream.
   */
  async function refresh(withPage: boolean): Promise<void> {
    if (!state.value.loaded) return load();
    try {
      if (withPage) {
        const { stats, page } = await api.loadBaseline();
        state.value = rebaseline(state.value, stats, page);
      } else {
        state.value = rebaseline(state.value, await api.loadStats());
      }
      refreshError.value = null;
    } catch (error) {
      refreshError.value = errorText(error);
    }
  }

  async function loadOlder(): Promise<void> {
    const before = state.value.nextBefore;
    if (before == null) return;
    try {
      state.value = appendOlder(state.value, await api.loadOlder(before));
    } catch (error) {
      refreshError.value = errorText(error);
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
  }, 15_000);

  const kpis = computed(() => kpiView(state.value.kpis));
  const salesPerMinute = computed(() => lastMinutes(state.value.kpis.salesPerMinute, now.value, 60));

  function close(): void {
    clearInterval(statsTimer);
    clearInterval(clockTimer);
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    stream.close();
    api.close();
  }

  return {
    state,
    kpis,
    salesPerMinute,
    fresh,
    loading: api.loading,
    loadError,
    refreshError,
    connection,
    retry: load,
    loadOlder,
    close,
  };
}
