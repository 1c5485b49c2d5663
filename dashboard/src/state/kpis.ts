import type { Money, Stats } from '../types';
import { fromCents, toCents } from './money';
import { addToBucket, bucketsFrom } from './salesPerMinute';

/**
 * The meaning of the numbers, the same as the API's /api/stats (functions/src/read-api/readModels.ts):
 * - tickets sold: tickets whose newest state is valid (a cancellation unsells a ticket);
 * - cancellations: tickets whose newest state is cancelled; rate = cancellations / (sold + cancellations);
 * - revenue and average price: over sold (valid) tickets, per currency;
 * - by category, by event: sold tickets;
 * - sales per minute: every ticket by the minute it was first seen, cancelled ones included.
 */
export interface Kpis {
  ticketsSold: number;
  cancellations: number;
  revenueCents: Readonly<Record<string, number>>;
  /** Valid tickets per currency: the divisor of the average price. */
  validCount: Readonly<Record<string, number>>;
  byCategory: Readonly<Record<string, number>>;
  byEvent: Readonly<Record<string, { eventId: number; event: string; tickets: number }>>;
  salesPerMinute: ReadonlyMap<string, number>;
}

/** What the KPIs need to know about one state of a ticket. */
export interface TicketFacts {
  status: 'valid' | 'cancelled';
  price: Money;
  category: string;
  eventId: number;
  event: string;
}

export interface KpiDelta {
  sold: number;
  cancellations: number;
  revenueCents: Record<string, number>;
  validCount: Record<string, number>;
  byCategory: Record<string, number>;
  byEvent: Record<string, { eventId: number; event: string; tickets: number }>;
  /** A new ticket counts as a sale in the minute it was received. */
  sale: { at: string; tickets: number } | null;
}

export function emptyKpis(): Kpis {
  return {
    ticketsSold: 0,
    cancellations: 0,
    revenueCents: {},
    validCount: {},
    byCategory: {},
    byEvent: {},
    salesPerMinute: new Map(),
  };
}

export function kpisFromStats(stats: Stats): Kpis {
  const revenueCents: Record<string, number> = {};
  for (const r of stats.revenue) revenueCents[r.currency] = toCents(r.amount);
  const validCount: Record<string, number> = {};
  const currencies = Object.keys(revenueCents);
  if (currencies.length === 1) {
    // One currency: the count is exact.
    validCount[currencies[0]] = stats.ticketsSold;
  } else {
    // Several: the API gives only sums and averages, so the per-currency count is recovered
    // from them (the rounding of a 2-decimal average cannot move it by a whole ticket here).
    for (const avg of stats.averagePrice) {
      const avgCents = toCents(avg.amount);
      validCount[avg.currency] = avgCents > 0 ? Math.round((revenueCents[avg.currency] ?? 0) / avgCents) : 0;
    }
  }
  const byCategory: Record<string, number> = {};
  for (const c of stats.byCategory) byCategory[c.category] = c.tickets;
  const byEvent: Record<string, { eventId: number; event: string; tickets: number }> = {};
  for (const e of stats.byEvent) byEvent[String(e.eventId)] = { ...e };
  return {
    ticketsSold: stats.ticketsSold,
    cancellations: stats.cancellations,
    revenueCents,
    validCount,
    byCategory,
    byEvent,
    salesPerMinute: bucketsFrom(stats.salesPerMinute),
  };
}

function bump(record: Record<string, number>, key: string, by: number): void {
  const value = (record[key] ?? 0) + by;
  if (value === 0) delete record[key];
  else record[key] = value;
}

function bumpEvent(record: KpiDelta['byEvent'], eventId: number, event: string, by: number): void {
  const key = String(eventId);
  const current = record[key] ?? { eventId, event, tickets: 0 };
  record[key] = { eventId, event: by > 0 ? event : current.event, tickets: current.tickets + by };
}

/** How the KPIs move when a ticket goes from `previous` (undefined: never seen) to `next`. */
export function ticketDelta(previous: TicketFacts | undefined, next: TicketFacts, receivedAt: string): KpiDelta {
  const delta: KpiDelta = {
    sold: 0,
    cancellations: 0,
    revenueCents: {},
    validCount: {},
    byCategory: {},
    byEvent: {},
    sale: null,
  };
  const count = (facts: TicketFacts, by: 1 | -1) => {
    if (facts.status === 'cancelled') {
      delta.cancellations += by;
      return;
    }
    delta.sold += by;
    bump(delta.revenueCents, facts.price.currency, by * toCents(facts.price.amount));
    bump(delta.validCount, facts.price.currency, by);
    bump(delta.byCategory, facts.category, by);
    bumpEvent(delta.byEvent, facts.eventId, facts.event, by);
  };
  if (previous) count(previous, -1);
  else delta.sale = { at: receivedAt, tickets: 1 };
  count(next, 1);
  for (const [key, value] of Object.entries(delta.byEvent)) if (value.tickets === 0) delete delta.byEvent[key];
  return delta;
}

function addRecords(base: Readonly<Record<string, number>>, delta: Record<string, number>): Record<string, number> {
  const out = { ...base };
  for (const [key, by] of Object.entries(delta)) bump(out, key, by);
  return out;
}

export function applyDelta(kpis: Kpis, delta: KpiDelta): Kpis {
  const byEvent = { ...kpis.byEvent };
  for (const [key, change] of Object.entries(delta.byEvent)) {
    const current = byEvent[key];
    const tickets = (current?.tickets ?? 0) + change.tickets;
    if (tickets <= 0) delete byEvent[key];
    else
      byEvent[key] = {
        eventId: change.eventId,
        event: change.tickets > 0 ? change.event : (current?.event ?? change.event),
        tickets,
      };
  }
  return {
    ticketsSold: kpis.ticketsSold + delta.sold,
    cancellations: kpis.cancellations + delta.cancellations,
    revenueCents: addRecords(kpis.revenueCents, delta.revenueCents),
    validCount: addRecords(kpis.validCount, delta.validCount),
    byCategory: addRecords(kpis.byCategory, delta.byCategory),
    byEvent,
    salesPerMinute: delta.sale
      ? addToBucket(kpis.salesPerMinute, delta.sale.at, delta.sale.tickets)
      : kpis.salesPerMinute,
  };
}

/** The API's figures, kept up to date live (cancellationRate is 0..1). */
export type KpiView = Pick<
  Stats,
  'ticketsSold' | 'cancellations' | 'cancellationRate' | 'revenue' | 'averagePrice' | 'byCategory' | 'byEvent'
>;

/** What the cards and charts show, sorted for display (largest first, then by name). */
export function kpiView(kpis: Kpis): KpiView {
  const currencies = Object.keys(kpis.revenueCents)
    .concat(Object.keys(kpis.validCount))
    .filter((c, i, all) => all.indexOf(c) === i)
    .sort();
  return {
    ticketsSold: kpis.ticketsSold,
    cancellations: kpis.cancellations,
    cancellationRate:
      kpis.ticketsSold + kpis.cancellations > 0 ? kpis.cancellations / (kpis.ticketsSold + kpis.cancellations) : 0,
    revenue: currencies.map((currency) => ({ currency, amount: fromCents(kpis.revenueCents[currency] ?? 0) })),
    averagePrice: currencies
      .filter((c) => (kpis.validCount[c] ?? 0) > 0)
      .map((currency) => ({
        currency,
        amount: fromCents(Math.round((kpis.revenueCents[currency] ?? 0) / kpis.validCount[currency])),
      })),
    byCategory: Object.entries(kpis.byCategory)
      .filter(([, tickets]) => tickets > 0)
      .map(([category, tickets]) => ({ category, tickets }))
      .sort((a, b) => b.tickets - a.tickets || a.category.localeCompare(b.category)),
    byEvent: Object.values(kpis.byEvent)
      .filter((e) => e.tickets > 0)
      .sort((a, b) => b.tickets - a.tickets || a.event.localeCompare(b.event)),
  };
}
