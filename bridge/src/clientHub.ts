import type { ServerResponse } from 'node:http';
import type { BridgeMetrics } from './bridgeMetrics';
import type { LiveFrame } from './liveFrame';
import { commentFrame } from './sseFrames';
import { SseClient } from './sseClient';

const HEARTBEAT = commentFrame('heartbeat');
const SHUTTING_DOWN = commentFrame('shutting down');

/**
 * Every connected client; a broadcast is a synchronous loop of bounded writes. Frames broadcast
 * in the same turn of the event loop (one socket read from RabbitMQ, or a gap fill) are joined
 * and written with one write per client: under load that is what keeps the per-write cost of
 * a thousand sockets from becoming the bottleneck, and idle it adds no delay.
 */
export class ClientHub {
  private readonly clients = new Set<SseClient>();
  private pending: LiveFrame[] = [];
  private flushScheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly maxBufferedBytes: number,
    private readonly metrics: BridgeMetrics,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Registers a client in replay mode: live frames are parked until it calls goLive(). */
  add(res: ServerResponse): SseClient {
    const client = new SseClient(res, this.maxBufferedBytes, (gone, reason) => {
      if (this.clients.delete(gone)) this.metrics.dropped.inc({ reason });
    });
    this.clients.add(client);
    return client;
  }

  broadcast(frame: LiveFrame): void {
    this.pending.push(frame);
    this.flushScheduled ??= setImmediate(() => this.flush());
  }

  /** Writes what was broadcast so far; called on the next turn, and before closing. */
  flush(): void {
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = undefined;
    const frames = this.pending;
    this.pending = [];
    if (frames.length === 0) return;
    const batch = frames.length === 1 ? frames[0].bytes : Buffer.concat(frames.map((f) => f.bytes));
    let sent = 0;
    for (const client of this.clients) sent += client.offerBatch(frames, batch);
    if (sent > 0) this.metrics.sent.inc(sent);
  }

  heartbeat(): void {
    for (const client of this.clients) client.write(HEARTBEAT);
  }

  /** Sends each client a last comment and ends its response; they are no longer counted as dropped. */
  closeAll(): void {
    this.flush();
    const clients = [...this.clients];
    this.clients.clear();
    for (const client of clients) client.end(SHUTTING_DOWN);
  }
}
