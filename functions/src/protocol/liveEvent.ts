import { isPositiveId } from './ids';
import type { LiveTicket } from './ticket';

/**
 * A live event as the JSON text live_event.body holds (Postgres's own rendering), with the two
 * fields the broker and the bridge route by: it is published and sent on as these bytes, never
 * parsed or serialised again on its way to the SSE write.
 */
export interface EncodedLiveEvent {
  id: number;
  seq: number;
  json: string;
}

/** The AMQP header that carries a live event's seq (its id is the messageId), so the bridge need not parse the body. */
export const LIVE_SEQ_HEADER = 'x-petzi-seq';

/**
 * The live event: what the relay publishes to `petzi.live`, what `live_event.body` stores and
 * what the SSE bridge sends as `data:` (with `id:` = `id`, `event: ticket`).
 */
export interface LiveEvent {
  /** The webhook_event row id. */
  id: number;
  /** Relay order (live_event.seq); the bridge orders, dedupes and fills gaps with it. */
  seq: number;
  receivedAt: string;
  relayedAt: string;
  event: string;
  ticket: LiveTicket;
}

/**
 * The live events of one relay batch travel as one message on `petzi.live`: one publish, one
 * delivery per bridge, one confirm, instead of one of each per webhook. The body is their JSON
 * texts in seq order, one per line (Postgres renders jsonb on one line: a raw newline cannot occur
 * inside one); the headers give each line's seq and id, so the bridge splits the bytes and writes
 * each line as it came, parsing nothing. A message without these headers is a single live event.
 */
export const LIVE_BATCH_TYPE = 'tickets';
export const LIVE_SEQS_HEADER = 'x-petzi-seqs';
export const LIVE_IDS_HEADER = 'x-petzi-ids';

export interface LiveBatchMessage {
  content: Buffer;
  headers: { [LIVE_SEQS_HEADER]: number[]; [LIVE_IDS_HEADER]: number[] };
}

/** The message of a batch of live events, which must be in seq order. */
export function encodeLiveBatch(events: readonly EncodedLiveEvent[]): LiveBatchMessage {
  return {
    content: Buffer.from(events.map((e) => e.json).join('\n')),
    headers: { [LIVE_SEQS_HEADER]: events.map((e) => e.seq), [LIVE_IDS_HEADER]: events.map((e) => e.id) },
  };
}

/** One line of a batch message: its seq and id, and its bytes (a view into the message, not a copy). */
export interface LiveBatchLine {
  seq: number;
  id: number;
  bytes: Buffer;
}

export class InvalidLiveBatchError extends Error {
  override name = 'InvalidLiveBatchError';
}

/**
 * The lines of a batch message, or undefined when the message is not one (no batch headers).
 * Throws InvalidLiveBatchError when it claims to be one and is not: headers that are not lists of
 * positive integers of the same length, or a line count that differs, or a line that is not a
 * single JSON object's text.
 */
export function decodeLiveBatch(content: Buffer, headers: Record<string, unknown> | undefined): LiveBatchLine[] | undefined {
  const seqs = headers?.[LIVE_SEQS_HEADER];
  const ids = headers?.[LIVE_IDS_HEADER];
  if (seqs === undefined && ids === undefined) return undefined;
  if (!Array.isArray(seqs) || !Array.isArray(ids) || seqs.length === 0 || seqs.length !== ids.length) {
    throw new InvalidLiveBatchError(`${LIVE_SEQS_HEADER} and ${LIVE_IDS_HEADER} must be lists of the same, non-zero length`);
  }
  if (!seqs.every(isPositiveId) || !ids.every(isPositiveId)) {
    throw new InvalidLiveBatchError(`${LIVE_SEQS_HEADER} and ${LIVE_IDS_HEADER} must hold positive integers`);
  }
  const lines: LiveBatchLine[] = [];
  let start = 0;
  for (let i = 0; i < seqs.length; i += 1) {
    const newline = content.indexOf(0x0a, start);
    const end = i === seqs.length - 1 ? content.length : newline;
    if (end < 0 || (i === seqs.length - 1 && newline !== -1)) throw new InvalidLiveBatchError(`the body does not hold ${seqs.length} lines`);
    const bytes = content.subarray(start, end);
    if (bytes[0] !== 0x7b || bytes[bytes.length - 1] !== 0x7d || bytes.indexOf(0x0d) !== -1) {
      throw new InvalidLiveBatchError(`line ${i + 1} is not one JSON object`);
    }
    lines.push({ seq: seqs[i], id: ids[i], bytes });
    start = end + 1;
  }
  return lines;
}
