import type { KnownEvent, TicketPayload } from '../protocol/schema';
import type { LiveEvent, LiveTicket } from '../protocol/liveEvent';

/** The dashboard's view of one ticket, derived from a validated PETZI payload. */
export function liveTicketOf(payload: TicketPayload): LiveTicket {
  const { ticket } = payload.details;
  const session = ticket.sessions[0];
  const cancellationReason = ticket.cancellationReason ?? '';
  return {
    number: ticket.number,
    title: ticket.title,
    event: ticket.event,
    eventId: ticket.eventId,
    category: ticket.category,
    type: ticket.type,
    price: { amount: ticket.price.amount, currency: ticket.price.currency },
    sessionDate: session?.date ?? null,
    city: session?.location?.city ?? null,
    venue: session?.location?.name ?? null,
    cancellationReason,
    status: cancellationReason === '' ? 'valid' : 'cancelled',
  };
}

/** What the relay hands relay_batch (and a rebuild hands ticket_apply) for one stored webhook. */
export interface RelayInput {
  live: Omit<LiveEvent, 'seq' | 'relayedAt'>;
  buyerRole: string | null;
}

export function relayInputOf(id: number, receivedAt: string, event: KnownEvent, payload: TicketPayload): RelayInput {
  return { live: { id, receivedAt, event, ticket: liveTicketOf(payload) }, buyerRole: payload.details.buyer.role };
}
