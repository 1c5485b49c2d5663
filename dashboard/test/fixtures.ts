import type { LiveEvent, Stats, TicketRow } from '../src/types';

export function liveEvent(
  id: number,
  overrides: Partial<LiveEvent['ticket']> = {},
  event = 'ticket_created',
  receivedAt = '2026-03-01T20:15:30.000Z',
): LiveEvent {
  return {
    id,
    seq: id,
    receivedAt,
    relayedAt: receivedAt,
    event,
    ticket: {
      number: `T${id}`,
      title: 'Night',
      event: 'Event A',
      eventId: 1,
      category: 'Presale',
      type: 'online_presale',
      price: { amount: '25.00', currency: 'CHF' },
      sessionDate: '2026-12-12',
      city: 'Neuchâtel',
      venue: 'Case à Chocs',
      cancellationReason: '',
      status: 'valid',
      ...overrides,
    },
  };
}

export function ticketRow(webhookId: number, overrides: Partial<TicketRow> = {}): TicketRow {
  return {
    number: `T${webhookId}`,
    webhookId,
    firstSeenAt: '2026-03-01T20:00:00.000Z',
    updatedAt: '2026-03-01T20:00:00.000Z',
    title: 'Night',
    event: 'Event A',
    eventId: 1,
    category: 'Presale',
    type: 'online_presale',
    price: { amount: '25.00', currency: 'CHF' },
    sessionDate: '2026-12-12',
    city: 'Neuchâtel',
    venue: 'Case à Chocs',
    cancellationReason: '',
    status: 'valid',
    buyerRole: 'customer',
    ...overrides,
  };
}

export function stats(overrides: Partial<Stats> = {}): Stats {
  return {
    ticketsSold: 0,
    cancellations: 0,
    cancellationRate: 0,
    revenue: [],
    averagePrice: [],
    byCategory: [],
    byEvent: [],
    salesPerMinute: [],
    pipeline: { webhooksLastMinute: 0, webhooksPerSecond: 0, errorsTotal: 0 },
    generatedAt: '2026-03-01T20:15:00.000Z',
    asOfSeq: 0,
    ...overrides,
  };
}
