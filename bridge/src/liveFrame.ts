import { eventFrame } from './sseFrames';

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

function positiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** Builds a frame from a body whose `id` and `seq` are trusted (Postgres columns override the body). */
export function frameOf(seq: number, id: number, body: Record<string, unknown>): LiveFrame {
  const data = JSON.stringify({ ...body, id, seq });
  return { seq, id, bytes: eventFrame(id, data) };
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
  if (!positiveInteger(record.id) || !positiveInteger(record.seq)) {
    throw new InvalidLiveEventError('live event needs positive integer id and seq');
  }
  return frameOf(record.seq, record.id, record);
}
