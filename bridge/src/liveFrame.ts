import { LIVE_SEQ_HEADER, decodeLiveBatch, isPositiveId } from '../../functions/src';
import { eventFrame, eventFrameOfBytes } from './sseFrames';

/** One live event, encoded once and written as the same bytes to every client. */
export interface LiveFrame {
  seq: number;
  /** The webhook id: the SSE `id:` a client resumes from. */
  id: number;
  bytes: Buffer;
}

export class InvalidLiveEventError extends Error {
  override name = 'InvalidLiveEventError';
}

/** Builds a frame from a body whose `id` and `seq` are trusted (Postgres columns override the body). */
export function frameOf(seq: number, id: number, body: Record<string, unknown>): LiveFrame {
  const data = JSON.stringify({ ...body, id, seq });
  return { seq, id, bytes: eventFrame(id, data) };
}

/**
 * A message from petzi.live as its frame. The relay says a live event's id and seq in the
 * message's properties (messageId, LIVE_SEQ_HEADER): its bytes are then written as they came,
 * unparsed, when they are one JSON object on one line (as Postgres renders jsonb). Anything else
 * (an older relay, a hand-published message) is parsed and re-encoded, as before.
 */
export function liveFrameOf(content: Buffer, properties: { messageId?: unknown; headers?: Record<string, unknown> }): LiveFrame {
  const seq = properties.headers?.[LIVE_SEQ_HEADER];
  const id = typeof properties.messageId === 'string' && /^\d+$/.test(properties.messageId) ? Number(properties.messageId) : NaN;
  if (isPositiveId(seq) && isPositiveId(id) && content[0] === 0x7b && content.indexOf(0x0a) === -1 && content.indexOf(0x0d) === -1) {
    return { seq, id, bytes: eventFrameOfBytes(id, content) };
  }
  return parseLiveMessage(content);
}

/**
 * The frames of a message from petzi.live: each line of a relay batch (decodeLiveBatch), its bytes
 * written as they came, or the one live event of any other message (liveFrameOf). Throws
 * InvalidLiveBatchError or InvalidLiveEventError for a message that is neither.
 */
export function liveFramesOf(content: Buffer, properties: { messageId?: unknown; headers?: Record<string, unknown> }): LiveFrame[] {
  const lines = decodeLiveBatch(content, properties.headers);
  if (lines) return lines.map(({ seq, id, bytes }) => ({ seq, id, bytes: eventFrameOfBytes(id, bytes) }));
  return [liveFrameOf(content, properties)];
}

/** Parses a message from petzi.live; throws InvalidLiveEventError for anything that is not a live event. */
export function parseLiveMessage(content: Buffer): LiveFrame {
  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch {
    throw new InvalidLiveEventError('live event is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidLiveEventError('live event is not a JSON object');
  const record = body as Record<string, unknown>;
  if (!isPositiveId(record.id) || !isPositiveId(record.seq)) {
    throw new InvalidLiveEventError('live event needs positive integer id and seq');
  }
  return frameOf(record.seq, record.id, record);
}
