import { ref } from 'vue';
import type { LiveEvent } from '../types';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface TicketStreamOptions {
  url?: string;
  onEvent: (event: LiveEvent) => void;
  /** Called when the stream is live again after an interruption (not on the first open). */
  onResumed?: () => void;
  /** Failures in a row after which the indicator says offline (it keeps retrying). */
  offlineAfter?: number;
  /** How long an open stream must stay open before it counts as live (filters flapping). */
  settleMs?: number;
}

function isLiveEvent(value: unknown): value is LiveEvent {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'number' &&
    !!v.ticket &&
    typeof v.ticket === 'object' &&
    typeof (v.ticket as Record<string, unknown>).number === 'string'
  );
}

/**
 * The live stream of tickets. EventSource reconnects by itself after a dropped stream and
 * sends Last-Event-ID, so the bridge replays what was missed. After an HTTP error (a proxy's
 * 502 while the bridge is down) EventSource gives up for good; then a new one is opened with
 * backoff and `?lastEventId=`, which the dashboard's proxies turn into the header.
 */
export function useTicketStream(options: TicketStreamOptions) {
  const url = options.url ?? '/events';
  const offlineAfter = options.offlineAfter ?? 3;
  const settleMs = options.settleMs ?? 250;
  const state = ref<ConnectionState>('connecting');
  /** When the stream last stopped being live (or the page opened, before the first connection). */
  const since = ref(Date.now());
  const lastEventId = ref<string | null>(null);
  const received = ref(0);
  const malformed = ref(0);

  let source: EventSource | null = null;
  let failures = 0;
  let everLive = false;
  let interrupted = false;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let settleTimer: ReturnType<typeof setTimeout> | undefined;

  function fail(): void {
    clearTimeout(settleTimer);
    failures += 1;
    interrupted = everLive;
    if (state.value === 'live') since.value = Date.now();
    // Before the first connection it is still connecting, not reconnecting.
    state.value = failures >= offlineAfter || !navigator.onLine ? 'offline' : everLive ? 'reconnecting' : 'connecting';
  }

  function onTicket(message: MessageEvent<string>): void {
    if (message.lastEventId) lastEventId.value = message.lastEventId;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message.data);
    } catch {
      parsed = undefined;
    }
    if (!isLiveEvent(parsed)) {
      malformed.value += 1;
      return;
    }
    received.value += 1;
    options.onEvent(parsed);
  }

  function onOpen(): void {
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => {
      failures = 0;
      state.value = 'live';
      if (interrupted) options.onResumed?.();
      interrupted = false;
      everLive = true;
    }, settleMs);
  }

  function onError(): void {
    if (!source) return;
    fail();
    if (source.readyState === EventSource.CLOSED) reopenLater();
  }

  /** The dashboard server answers this (with a retry hint) while the bridge is unreachable. */
  function onUnavailable(): void {
    fail();
  }

  function open(): void {
    if (closed) return;
    const target = lastEventId.value
      ? `${url}${url.includes('?') ? '&' : '?'}lastEventId=${encodeURIComponent(lastEventId.value)}`
      : url;
    source = new EventSource(target);
    source.addEventListener('ticket', onTicket as EventListener);
    source.addEventListener('unavailable', onUnavailable);
    source.addEventListener('open', onOpen);
    source.addEventListener('error', onError);
  }

  function dispose(): void {
    if (!source) return;
    source.removeEventListener('ticket', onTicket as EventListener);
    source.removeEventListener('unavailable', onUnavailable);
    source.removeEventListener('open', onOpen);
    source.removeEventListener('error', onError);
    source.close();
    source = null;
  }

  function reopenLater(): void {
    dispose();
    clearTimeout(retryTimer);
    const delay = Math.min(15_000, 500 * 2 ** Math.min(failures, 5));
    retryTimer = setTimeout(open, delay);
  }

  const goOffline = () => {
    if (state.value === 'live') since.value = Date.now();
    state.value = 'offline';
  };
  const goOnline = () => {
    // The browser's own retry may be far off; start over now.
    if (state.value !== 'live') reopenLater();
  };
  window.addEventListener('offline', goOffline);
  window.addEventListener('online', goOnline);

  open();

  function close(): void {
    closed = true;
    clearTimeout(retryTimer);
    clearTimeout(settleTimer);
    window.removeEventListener('offline', goOffline);
    window.removeEventListener('online', goOnline);
    dispose();
    state.value = 'offline';
  }

  return { state, since, lastEventId, received, malformed, close };
}
