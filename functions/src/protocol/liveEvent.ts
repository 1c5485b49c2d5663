import type { LiveTicket } from './ticket';
import { isPositiveId } from './webhookMessage';

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
 * The `petzi.live` message (docs/protocol.md): the live events of one relay batch travel as one
 * message, one publish, one delivery per bridge, one confirm, instead of one of each per webhook.
 * The body is their JSON texts in seq order, one per line (Postgres renders jsonb on one line: a
 * raw newline cannot occur inside one); the headers give each line's seq and id, so the bridge
 * splits the bytes and writes each line as it came, parsing nothing. It is the only form the
 * relay publishes and the only one the bridge accepts. Encoder and decoder are here side by side;
 * functions/test/liveEvent.test.ts holds their round trips and each refused form.
 */
export const LIVE_BATCH_TYPE = 'tickets';
export const LIVE_BATCH_CONTENT_TYPE = 'application/x-ndjson';
export const LIVE_SEQS_HEADER = 'x-petzi-seqs';
export const LIVE_IDS_HEADER = 'x-petzi-ids';

export interface LiveBatchMessage {
  content: Buffer;
  headers: { [LIVE_SEQS_HEADER]: number[]; [LIVE_IDS_HEADER]: number[] };
}

/** The message of a batch of live events, in strictly increasing seq order, each JSON text on one line. */
export function encodeLiveBatch(events: readonly EncodedLiveEvent[]): LiveBatchMessage {
  events.forEach((e, i) => {
    if (i > 0 && e.seq <= events[i - 1].seq)
      throw new RangeError(`live events must be in increasing seq order: ${e.seq} follows ${events[i - 1].seq}`);
    if (/[\r\n]/.test(e.json)) throw new RangeError(`live event ${e.id} is not one line of JSON`);
  });
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

/** Why a message on petzi.live is refused, a metric label each: see decodeLiveBatch. */
export const LIVE_BATCH_REFUSALS = ['type', 'headers', 'order', 'lines', 'line'] as const;
export type LiveBatchRefusal = (typeof LIVE_BATCH_REFUSALS)[number];

export class InvalidLiveBatchError extends Error {
  override name = 'InvalidLiveBatchError';
  constructor(
    readonly reason: LiveBatchRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** What decodeLiveBatch reads of the AMQP message besides its body. */
export interface LiveBatchProperties {
  type?: unknown;
  headers?: Record<string, unknown>;
}

/**
 * The lines of a petzi.live message. Throws InvalidLiveBatchError, with its reason, for anything
 * else: `type` when the message type is not LIVE_BATCH_TYPE (a single event, a hand-published
 * message); `headers` when the seqs and ids are not lists of positive integers of the same,
 * non-zero length; `order` when the seqs do not increase; `lines` when the body holds another
 * number of lines; `line` when a line is not a single JSON object's text.
 */
export function decodeLiveBatch(content: Buffer, properties: LiveBatchProperties): LiveBatchLine[] {
  if (properties.type !== LIVE_BATCH_TYPE)
    throw new InvalidLiveBatchError(
      'type',
      `the message type is ${JSON.stringify(properties.type)}, not "${LIVE_BATCH_TYPE}"`,
    );
  const seqs = properties.headers?.[LIVE_SEQS_HEADER];
  const ids = properties.headers?.[LIVE_IDS_HEADER];
  if (!Array.isArray(seqs) || !Array.isArray(ids) || seqs.length === 0 || seqs.length !== ids.length) {
    throw new InvalidLiveBatchError(
      'headers',
      `${LIVE_SEQS_HEADER} and ${LIVE_IDS_HEADER} must be lists of the same, non-zero length`,
    );
  }
  if (!seqs.every(isPositiveId) || !ids.every(isPositiveId)) {
    throw new InvalidLiveBatchError(
      'headers',
      `${LIVE_SEQS_HEADER} and ${LIVE_IDS_HEADER} must hold positive integers`,
    );
  }
  if (seqs.some((seq, i) => i > 0 && seq <= seqs[i - 1]))
    throw new InvalidLiveBatchError('order', `${LIVE_SEQS_HEADER} must increase`);
  const lines: LiveBatchLine[] = [];
  let start = 0;
  for (let i = 0; i < seqs.length; i += 1) {
    const newline = content.indexOf(0x0a, start);
    const end = i === seqs.length - 1 ? content.length : newline;
    if (end < 0 || (i === seqs.length - 1 && newline !== -1))
      throw new InvalidLiveBatchError('lines', `the body does not hold ${seqs.length} lines`);
    const bytes = content.subarray(start, end);
    if (bytes[0] !== 0x7b || bytes[bytes.length - 1] !== 0x7d || bytes.indexOf(0x0d) !== -1) {
      throw new InvalidLiveBatchError('line', `line ${i + 1} is not one JSON object`);
    }
    lines.push({ seq: seqs[i], id: ids[i], bytes });
    start = end + 1;
  }
  return lines;
}
