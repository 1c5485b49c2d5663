/**
 * The data contracts the dashboard reads. The live event is the relay's own type, imported
 * for its shape only (erased at build time), so the two cannot drift apart.
 */
import type { LiveEvent, LiveTicket } from '../../functions/src/protocol/liveEvent';

export type { LiveEvent, LiveTicket };

export interface Money {
  amount: string;
  currency: string;
}

/** One row of `GET /api/tickets`: the newest state of one ticket. */
export interface TicketRow {
  number: string;
  /** The id of the ticket's newest webhook; rows are ordered by it, newest first. */
  webhookId: number;
  firstSeenAt: string;
  updatedAt: string;
  title: string;
  event: string;
  eventId: number;
  category: string;
  type: string;
  price: Money;
  sessionDate: string | null;
  city: string | null;
  venue: string | null;
  cancellationReason: string;
  status: 'valid' | 'cancelled';
  buyerRole: string | null;
}

export interface TicketPage {
  items: TicketRow[];
  /** Opaque: pass it back as `cursor` for the next page of the same query; null at the end. */
  nextCursor: string | null;
}

export interface WebhookRecord {
  id: number;
  receivedAt: string;
  eventType: string;
  publishedAt: string | null;
  payload: unknown;
}

export interface TicketDetail {
  ticket: TicketRow;
  webhooks: WebhookRecord[];
}

/** An event as the API describes it: name, first session date, venue. */
export interface EventSummary {
  eventId: number;
  event: string;
  sessionDate?: string | null;
  venue?: string | null;
  city?: string | null;
}

export interface Stats {
  ticketsSold: number;
  cancellations: number;
  cancellationRate: number;
  revenue: Money[];
  averagePrice: Money[];
  byCategory: Array<{ category: string; tickets: number }>;
  byEvent: Array<EventSummary & { tickets: number }>;
  /** Every event, for the filter (name, date and venue tell same-named events apart). */
  events?: Array<EventSummary & { tickets: number }>;
  salesPerMinute: Array<{ minute: string; tickets: number }>;
  /** With from/to: the tickets sold in that range. */
  sales?: { bucket: 'minute' | 'hour' | 'day'; zone: string; series: Array<{ at: string; tickets: number }> };
  pipeline: { webhooksLastMinute: number; webhooksPerSecond: number; errorsTotal: number; errorsByReason?: Array<{ reason: string; count: number }> };
  generatedAt: string;
  /** The seq of the newest live event the figures include: live events above it are not in them. */
  asOfSeq: number;
}
