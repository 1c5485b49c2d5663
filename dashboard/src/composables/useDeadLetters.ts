import { computed, ref, shallowRef } from 'vue';
import { createApiClient, errorText, type ApiClient } from '../api';
import { redriveSummary, type DeadLetterState } from '../state/deadLetters';
import type { RedriveRequest } from '../types';
import { usePagedList } from './usePagedList';

const PAGE = 50;

/**
 * The dead letters (GET /api/dead-letters) and their redrive. A redrive is two steps: `ask` opens
 * the confirmation with what would be sent, `confirm` sends it, shows the result and reloads the
 * list (a record that fails again comes back with its new reason); `cancel` sends nothing.
 */
export function useDeadLetters(client: ApiClient = createApiClient()) {
  const state = ref<DeadLetterState>('waiting');
  const list = usePagedList((question: DeadLetterState, cursor, signal) =>
    client.deadLetters(question, { limit: PAGE, cursor }, signal),
  );
  const waiting = computed(() => list.lastPage.value?.waiting ?? 0);
  /** The redrive awaiting confirmation, if any. */
  const pending = shallowRef<RedriveRequest | null>(null);
  const sending = ref(false);
  /** The last redrive's outcome in words: done, or why not. */
  const result = ref<{ ok: boolean; message: string } | null>(null);
  const controller = new AbortController();

  function show(next: DeadLetterState = state.value): Promise<void> {
    state.value = next;
    return list.load(next);
  }

  function ask(target: RedriveRequest): void {
    pending.value = target;
  }

  function cancel(): void {
    pending.value = null;
  }

  async function confirm(): Promise<void> {
    const target = pending.value;
    if (target === null || sending.value) return;
    sending.value = true;
    try {
      const answer = await client.redrive(target, controller.signal);
      result.value = { ok: true, message: redriveSummary(target, answer) };
    } catch (caught) {
      if (controller.signal.aborted) return;
      result.value = { ok: false, message: `The redrive failed: ${errorText(caught)}` };
    } finally {
      sending.value = false;
      pending.value = null;
    }
    await show();
  }

  function close(): void {
    controller.abort();
    list.close();
  }

  return {
    state,
    items: list.items,
    nextCursor: list.nextCursor,
    loading: list.loading,
    loaded: list.loaded,
    error: list.error,
    waiting,
    pending,
    sending,
    result,
    show,
    more: list.more,
    ask,
    cancel,
    confirm,
    close,
  };
}
