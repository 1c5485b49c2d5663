/**
 * The live event: what the relay publishes to `petzi.live`, what `live_event.body` stores and
 * what the SSE bridge sends as `data:` (with `id:` = `id`, `event: ticket`).
 */
export interface LiveTicket {
  number: string;
  title: string;
  event: string;
  eventId: number;
  category: string;
  type: string;
  price: { amount: string; currency: string };
  /** First session's date, YYYY-MM-DD, or null. */
  sessionDate: string | null;
  city: string | null;
  venue: string | null;
  cancellationReason: string;
  status: 'valid' | 'cancelled';
}

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
