import http from 'node:http';
import { createSseParser } from './sse';

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
      const parser = createSseParser({
        event: (event) => {
          if (event.event !== 'ticket' || event.id === undefined) return;
          this.lastId = event.id;
          const id = Number(event.id);
          this.ids.push(id);
          if (this.firstSeen.has(id)) return;
          this.firstSeen.set(id, Date.now());
          if (this.keepStamps) {
            const body = JSON.parse(event.data) as { receivedAt: string; relayedAt: string };
            this.stamps.set(id, { receivedAt: Date.parse(body.receivedAt), relayedAt: Date.parse(body.relayedAt) });
          }
        },
      });
      response.on('data', (text: string) => parser.push(text));
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
