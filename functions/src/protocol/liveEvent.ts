import type { LiveTicket } from './ticket';

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
