import http from 'node:http';

export interface StreamEvent {
  id: string;
  event: string;
  data: string;
}

/** Splits an event-stream into events; comments and retry lines are ignored. */
export function createEventParser(onEvent: (event: StreamEvent) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: StreamEvent = { id: '', event: 'message', data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') event.id = value;
        else if (field === 'event') event.event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) onEvent({ ...event, data: data.join('\n') });
    }
  };
}

/**
 * An SSE client that behaves like EventSource: on any disconnect it reconnects after a short
 * delay with Last-Event-ID, and records every event it is shown (duplicates included).
 */
export class ReconnectingSseClient {
  readonly ids: number[] = [];
  /** When each id was first shown. */
  readonly firstSeen = new Map<number, number>();
  /** The pipeline's own clock readings carried by each event, kept when keepStamps is set. */
  readonly stamps = new Map<number, { receivedAt: number; relayedAt: number }>();
  reconnects = 0;
  private lastId = '';
  private request: http.ClientRequest | undefined;
  private closed = false;

  /**
   * headers: the key the stream asks for (support.ts keyHeaders()). keepStamps: also parse each
   * event's receivedAt and relayedAt, to split latency into stages.
   */
  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly retryMs = 500,
    private readonly keepStamps = false,
  ) {}

  start(): this {
    this.connect();
    return this;
  }

  get distinct(): Set<number> {
    return new Set(this.ids);
  }

  get duplicates(): number {
    return this.ids.length - this.distinct.size;
  }

  close(): void {
    this.closed = true;
    this.request?.destroy();
  }

  private connect(): void {
    if (this.closed) return;
    const headers: Record<string, string> = { ...this.headers, Accept: 'text/event-stream' };
    if (this.lastId) headers['Last-Event-ID'] = this.lastId;
    const request = http.get(this.url, { headers, agent: false }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        response.once('end', () => this.retry());
        return;
      }
      response.setEncoding('utf8');
      const parse = createEventParser((event) => {
        if (event.event !== 'ticket') return;
        this.lastId = event.id;
        const id = Number(event.id);
        this.ids.push(id);
        if (this.firstSeen.has(id)) return;
        this.firstSeen.set(id, Date.now());
        if (this.keepStamps) {
          const body = JSON.parse(event.data) as { receivedAt: string; relayedAt: string };
          this.stamps.set(id, { receivedAt: Date.parse(body.receivedAt), relayedAt: Date.parse(body.relayedAt) });
        }
      });
      response.on('data', parse);
      response.once('close', () => this.retry());
      response.once('error', () => undefined);
    });
    request.once('error', () => this.retry());
    this.request = request;
  }

  private retry(): void {
    if (this.closed) return;
    this.request = undefined;
    this.reconnects += 1;
    setTimeout(() => this.connect(), this.retryMs).unref();
  }
}
