import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from '../../functions/src';
import type { BridgeMetrics } from './bridgeMetrics';
import type { ClientHub } from './clientHub';
import type { LiveEventStore } from './liveEventStore';
import type { LiveFrame } from './liveFrame';
import { commentFrame, retryFrame } from './sseFrames';
import type { SseClient } from './sseClient';
import type { EventsRequest } from './eventsRequest';

export interface EventsContext {
  hub: ClientHub;
  store: LiveEventStore;
  metrics: BridgeMetrics;
  /** Added to the stream's headers (the routes set them per request from CORS_ORIGINS). */
  corsHeaders: Record<string, string>;
  log: (message: string) => void;
  replayPageSize?: number;
}

const UNKNOWN_ID = commentFrame('unknown Last-Event-ID');

/** The stream's response headers (a HEAD /events gets them too, and nothing else). */
export function streamHeaders(corsHeaders: Record<string, string>): Record<string, string> {
  return {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    // The stream is the connection's last response: ending it (shutdown, drop) closes the socket.
    Connection: 'close',
    'X-Accel-Buffering': 'no',
    ...corsHeaders,
  };
}

/**
 * Opens the stream. The client joins the hub before the replay query, so every live frame
 * broadcast meanwhile is parked; after the replay it skips parked frames the replay already
 * sent (seq at or below the last replayed) and writes the rest: no gap, no duplicate.
 */
export async function openEventStream(
  req: IncomingMessage,
  res: ServerResponse,
  request: EventsRequest,
  ctx: EventsContext,
): Promise<void> {
  req.socket.setNoDelay(true);
  // No chunked framing: the stream ends only with its connection (Connection: close), so the
  // bytes need no length. Node then writes each frame with one socket write; chunked, every frame
  // took a cork, three buffers (size line, frame, CRLF), an uncork on the next tick and a writev,
  // a thousand times per event on a full bridge. (Removing both headers is how Node is told.)
  res.removeHeader('Content-Length');
  res.removeHeader('Transfer-Encoding');
  res.writeHead(200, streamHeaders(ctx.corsHeaders));
  res.write(retryFrame());
  const client = ctx.hub.add(res);
  try {
    await replay(client, request, ctx);
  } catch (error) {
    ctx.log(`replay failed, closing the stream so the client retries: ${errorMessage(error)}`);
    client.drop('closed');
    return;
  }
  const written = client.goLive();
  if (written > 0) ctx.metrics.sent.inc(written);
}

async function replay(client: SseClient, request: EventsRequest, ctx: EventsContext): Promise<void> {
  if (request.kind === 'live') return;
  if (request.kind === 'history') {
    await write(client, await ctx.store.latest(request.count), ctx);
    return;
  }
  const seq = await ctx.store.seqOfWebhook(request.lastEventId);
  if (seq === undefined) {
    // Neither "everything from the start" nor an error is right for an id we never relayed
    // (another database, or a pruned log): start live and say so.
    client.write(UNKNOWN_ID);
    return;
  }
  client.startAfter(seq);
  const pageSize = ctx.replayPageSize ?? 500;
  let after = seq;
  for (;;) {
    const page = await ctx.store.fetchBetween(after, undefined, pageSize);
    await write(client, page, ctx);
    if (client.closed || page.length < pageSize) return;
    after = page[page.length - 1].seq;
  }
}

/** Unlike a broadcast, a replay concerns one client, so it waits for that client's socket to drain. */
async function write(client: SseClient, frames: LiveFrame[], ctx: EventsContext): Promise<void> {
  let written = 0;
  for (const frame of frames) {
    await client.roomToWrite();
    if (client.closed) break;
    if (client.replay(frame)) written += 1;
  }
  if (written > 0) ctx.metrics.replayed.inc(written);
}
