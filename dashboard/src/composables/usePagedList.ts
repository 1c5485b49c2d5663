import { ref, shallowRef } from 'vue';
import { errorText } from '../api';
import { appendById, type CursorPage } from '../state/paging';

/**
 * A list the API pages by cursor: `load(question)` asks anew (replacing the rows), `more()` follows
 * the cursor (appending them). A newer question aborts the one in flight, so an old answer never
 * lands on a new question; close() aborts whatever is in flight.
 */
export function usePagedList<Q, P extends CursorPage<{ id: number }>>(
  fetchPage: (question: Q, cursor: string | null, signal: AbortSignal) => Promise<P>,
) {
  const items = shallowRef<P['items']>([]);
  const nextCursor = ref<string | null>(null);
  /** The newest answer, for what a page carries besides its rows (the dead letters' waiting count). */
  const lastPage = shallowRef<P | null>(null);
  const loading = ref(false);
  /** True once a first page has been answered for the current question. */
  const loaded = ref(false);
  const error = ref<string | null>(null);
  let controller: AbortController | null = null;
  let question: Q | undefined;

  async function fetchInto(cursor: string | null): Promise<void> {
    controller?.abort();
    const own = new AbortController();
    controller = own;
    loading.value = true;
    try {
      const page = await fetchPage(question as Q, cursor, own.signal);
      items.value = cursor === null ? [...page.items] : (appendById(items.value, page) as P['items']);
      nextCursor.value = page.nextCursor;
      lastPage.value = page;
      loaded.value = true;
      error.value = null;
    } catch (caught) {
      if (!own.signal.aborted) error.value = errorText(caught);
    } finally {
      if (controller === own) {
        controller = null;
        loading.value = false;
      }
    }
  }

  function load(next: Q): Promise<void> {
    question = next;
    loaded.value = false;
    return fetchInto(null);
  }

  /** The next page of the same question; nothing when there is none. */
  function more(): Promise<void> {
    if (nextCursor.value === null || question === undefined) return Promise.resolve();
    return fetchInto(nextCursor.value);
  }

  function close(): void {
    controller?.abort();
    controller = null;
    loading.value = false;
  }

  return { items, nextCursor, lastPage, loading, loaded, error, load, more, close };
}
