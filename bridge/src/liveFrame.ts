import { decodeLiveBatch, type LiveBatchProperties } from '../../functions/src';
import { eventFrame, eventFrameOfBytes } from './sseFrames';

/** One live event, encoded once and written as the same bytes to every client. */
export interface LiveFrame {
  seq: number;
  /** The webhook id: the SSE `id:` a client resumes from. */
  id: number;
  bytes: Buffer;
}

/** Builds a frame from a body whose `id` and `seq` are trusted (Postgres columns override the body). */
export function frameOf(seq: number, id: number, body: Record<string, unknown>): LiveFrame {
  const data = JSON.stringify({ ...body, id, seq });
  return { seq, id, bytes: eventFrame(id, data) };
}

/**
 * The frames of a message from petzi.live: each line of a relay batch (decodeLiveBatch), its bytes
 * written as they came. The relay publishes nothing else, so anything else is refused: throws
 * InvalidLiveBatchError, whose reason the consumer counts.
 */
export function liveFramesOf(content: Buffer, properties: LiveBatchProperties): LiveFrame[] {
  return decodeLiveBatch(content, properties).map(({ seq, id, bytes }) => ({
    seq,
    id,
    bytes: eventFrameOfBytes(id, bytes),
  }));
}
