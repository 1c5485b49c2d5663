import { ref } from 'vue';
import { createApiClient, errorText, type ApiClient } from '../api';
import type { TicketQuery } from '../state/tickets';
import type { Stats, TicketPage } from '../types';

/**
 * The loads that feed the baseline: stats and a page of tickets, with loading and error refs.
 * close() aborts whatever is in flight (a component that unmounts mid-request).
 */
/** Rows per page: a screenful and more, small enough to answer fast at a million tickets. */
const PAGE = 100;

export function useApi(client: ApiClient = createApiClient()) {
  const loading = ref(false);
  const error = ref<string | null>(null);
  const controllers = new Set<AbortController>();

  async function track<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    controllers.add(controller);
    loading.value = true;
    try {
      const result = await work(controller.signal);
      error.value = null;
      return result;
    } catch (caught) {
      if (!controller.signal.aborted) error.value = errorText(caught);
      throw caught;
    } finally {
      controllers.delete(controller);
      loading.value = controllers.size > 0;
    }
  }

  /**
   * The newest page, then stats: the dashboard's baseline. In this order the page holds no live
   * event above the stats' asOfSeq, so every event above it still moves the KPIs from the state
   * the page shows.
   */
  function loadBaseline(query: TicketQuery, limit = PAGE): Promise<{ stats: Stats; page: TicketPage }> {
    return track(async (signal) => {
      const page = await client.tickets({ limit, query }, signal);
      const stats = await client.stats(signal);
      return { stats, page };
    });
  }

  function loadStats(): Promise<Stats> {
    return track((signal) => client.stats(signal));
  }

  function loadPage(query: TicketQuery, cursor: string | null, limit = PAGE): Promise<TicketPage> {
    return track((signal) => client.tickets({ limit, query, cursor }, signal));
  }

  function close(): void {
    for (const controller of controllers) controller.abort();
    controllers.clear();
  }

  return { loading, error, loadBaseline, loadStats, loadPage, close };
}
