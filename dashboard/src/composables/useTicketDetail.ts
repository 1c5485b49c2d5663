import { ref, shallowRef } from 'vue';
import { createApiClient, errorText, type ApiClient } from '../api';
import type { TicketDetail } from '../types';

/** One ticket's detail (its row and webhook history), reloaded on demand. */
export function useTicketDetail(client: ApiClient = createApiClient()) {
  const number = ref<string | null>(null);
  const detail = shallowRef<TicketDetail | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let controller: AbortController | null = null;

  async function show(ticketNumber: string): Promise<void> {
    controller?.abort();
    const own = new AbortController();
    controller = own;
    if (number.value !== ticketNumber) detail.value = null;
    number.value = ticketNumber;
    loading.value = true;
    error.value = null;
    try {
      detail.value = await client.ticket(ticketNumber, own.signal);
    } catch (caught) {
      if (!own.signal.aborted) error.value = errorText(caught);
    } finally {
      if (controller === own) loading.value = false;
    }
  }

  function hide(): void {
    controller?.abort();
    controller = null;
    number.value = null;
    detail.value = null;
    error.value = null;
    loading.value = false;
  }

  return { number, detail, loading, error, show, hide, close: hide };
}
