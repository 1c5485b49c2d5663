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
