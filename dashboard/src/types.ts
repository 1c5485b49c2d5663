/**
 * The data contracts the dashboard reads. The live event and the ticket row are the functions'
 * own types, imported for their shape only (erased at build time), so they cannot drift apart.
 */
import type { LiveEvent } from '../../functions/src/protocol/liveEvent';
import type { LiveTicket, TicketRow } from '../../functions/src/protocol/ticket';

import type { CursorPage } from './state/paging';
// Issue 17's shapes, from the functions that answer them (GET /api/deliveries, /api/dead-letters, the redrive): types
// only, erased at build.
import type { DeadLetter, Delivery, RedriveRequest, RedriveResult } from '../../functions/src';

export type { DeadLetter, Delivery, LiveEvent, LiveTicket, RedriveRequest, RedriveResult, TicketRow };

export interface Money {
  amount: string;
  currency: string;
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
  pipeline: {
    webhooksLastMinute: number;
    webhooksPerSecond: number;
    errorsTotal: number;
    errorsByReason?: Array<{ reason: string; count: number }>;
  };
  generatedAt: string;
  /** The seq of the newest live event the figures include: live events above it are not in them. */
  asOfSeq: number;
}

export type DeliveryPage = CursorPage<Delivery>;

export interface DeadLetterPage extends CursorPage<DeadLetter> {
  /** Dead letters waiting for a redrive, in all (not only this page). */
  waiting: number;
}
