import { ref } from 'vue';
import { createApiClient, type ApiClient } from '../api';
import { NO_DELIVERY_FILTER, type DeliveryFilter } from '../state/deliveries';
import { usePagedList } from './usePagedList';

/** Rows per page of the log. */
const PAGE = 50;

/** The delivery log (GET /api/deliveries) under a filter, paged by cursor. */
export function useDeliveries(client: ApiClient = createApiClient()) {
  const filter = ref<DeliveryFilter>({ ...NO_DELIVERY_FILTER });
  const list = usePagedList((question: DeliveryFilter, cursor, signal) =>
    client.deliveries(question, { limit: PAGE, cursor }, signal),
  );

  /** Asks with this filter (or the current one again: a refresh). */
  function apply(next: DeliveryFilter = filter.value): Promise<void> {
    filter.value = { ...next };
    return list.load(filter.value);
  }

  return {
    filter,
    items: list.items,
    nextCursor: list.nextCursor,
    loading: list.loading,
    loaded: list.loaded,
    error: list.error,
    apply,
    more: list.more,
    close: list.close,
  };
}
