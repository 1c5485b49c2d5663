/** A small EventSource for tests: fetch plus the harness's event-stream parser, with the fields it saw. */
import { createSseParser, type SseEvent } from '../../tools/harness/sse';

export interface SseOptions {
  lastEventId?: string | number;
  headers?: Record<string, string>;
}

export interface SseConnection {
  status: number;
  headers: Headers;
  events: SseEvent[];
  comments: string[];
  retry: number | undefined;
  /** Resolves when the server ends the stream (or it fails); never rejects. */
  ended: Promise<void>;
  /** Resolves once at least n events arrived; rejects after timeoutMs, or when the stream ends first. */
  waitFor(n: number, timeoutMs?: number): Promise<SseEvent[]>;
  /** Resolves once a comment containing `text` arrived. */
  waitForComment(text: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens a stream and resolves once the response headers are in (a non-2xx status is returned, not thrown). */
export async function openSse(url: string, options: SseOptions = {}): Promise<SseConnection> {
  const abort = new AbortController();
  const headers: Record<string, string> = { Accept: 'text/event-stream', ...options.headers };
  if (options.lastEventId !== undefined) headers['Last-Event-ID'] = String(options.lastEventId);
  const response = await fetch(url, { headers, signal: abort.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const wakers = new Set<() => void>();
  const wake = () => wakers.forEach((w) => w());
  let finished = false;
  const connection: SseConnection = {
    status: response.status,
    headers: response.headers,
    events,
    comments,
    retry: undefined,
    ended: Promise.resolve(),
    waitFor: (n, timeoutMs = 10_000) =>
      until(
        () => events.length >= n,
        timeoutMs,
        () => `expected ${n} events from ${url}, got ${events.length}`,
      ).then(() => events),
    waitForComment: (text, timeoutMs = 10_000) =>
      until(
        () => comments.some((c) => c.includes(text)),
        timeoutMs,
        () => `no comment "${text}" from ${url}`,
      ),
    async close() {
      abort.abort();
      await connection.ended;
    },
  };
  const until = (done: () => boolean, timeoutMs: number, message: () => string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (done()) finish(resolve);
        else if (finished) finish(() => reject(new Error(`${message()} (stream ended)`)));
      };
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        wakers.delete(check);
        settle();
      };
      const timer = setTimeout(() => finish(() => reject(new Error(message()))), timeoutMs);
      wakers.add(check);
      check();
    });
  const parser = createSseParser({
    event: (e) => events.push(e),
    comment: (c) => comments.push(c),
    retry: (ms) => (connection.retry = ms),
  });
  connection.ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
        wake();
      }
    } catch {
      // Aborted by close() or cut by the server: either way the stream is over.
    } finally {
      finished = true;
      wake();
    }
  })();
  return connection;
}
