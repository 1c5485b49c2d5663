import type { ServerResponse } from 'node:http';
import type { BridgeMetrics } from './bridgeMetrics';
import type { LiveFrame } from './liveFrame';
import { commentFrame } from './sseFrames';
import { SseClient } from './sseClient';

const HEARTBEAT = commentFrame('heartbeat');
const SHUTTING_DOWN = commentFrame('shutting down');

/** Every connected client; a broadcast is a synchronous loop of bounded writes. */
export class ClientHub {
  private readonly clients = new Set<SseClient>();

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
    let sent = 0;
    for (const client of this.clients) if (client.offer(frame)) sent += 1;
    if (sent > 0) this.metrics.sent.inc(sent);
  }

  heartbeat(): void {
    for (const client of this.clients) client.write(HEARTBEAT);
  }

  /** Sends each client a last comment and ends its response; they are no longer counted as dropped. */
  closeAll(): void {
    const clients = [...this.clients];
    this.clients.clear();
    for (const client of clients) client.end(SHUTTING_DOWN);
  }
}
