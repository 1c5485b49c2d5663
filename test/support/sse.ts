/** A small EventSource for tests: fetch plus a text/event-stream parser, with the fields it saw. */

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

export interface SseParser {
  push(text: string): void;
}

/** Parses the event-stream format: fields until a blank line, `:` comments, `retry:`; partial lines wait for the next chunk. */
export function createSseParser(on: { event(e: SseEvent): void; comment?(text: string): void; retry?(ms: number): void }): SseParser {
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id: string | undefined;
  let lastId: string | undefined;
  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) {
        lastId = id ?? lastId;
        on.event({ id: lastId, event: event || 'message', data: data.join('\n') });
      }
      data = [];
      event = '';
      id = undefined;
      return;
    }
    if (text.startsWith(':')) {
      on.comment?.(text.slice(1).trimStart());
      return;
    }
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) on.retry?.(Number(value));
  };
  return {
    push(text) {
      buffer += text;
      let end: number;
      while ((end = buffer.search(/\r\n|\r|\n/)) !== -1) {
        const newline = buffer[end] === '\r' && buffer[end + 1] === '\n' ? 2 : 1;
        line(buffer.slice(0, end));
        buffer = buffer.slice(end + newline);
      }
    },
  };
}

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
      until(() => events.length >= n, timeoutMs, () => `expected ${n} events from ${url}, got ${events.length}`).then(() => events),
    waitForComment: (text, timeoutMs = 10_000) => until(() => comments.some((c) => c.includes(text)), timeoutMs, () => `no comment "${text}" from ${url}`),
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
