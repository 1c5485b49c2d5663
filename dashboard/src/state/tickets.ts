import type { LiveEvent, TicketRow } from '../types';

/** How many rows the live table keeps in memory (older ones stay reachable through the API). */
export const DEFAULT_ROW_LIMIT = 500;

/** A live event as a table row; what the event does not carry is kept from the previous row. */
export function rowFromLiveEvent(event: LiveEvent, previous?: TicketRow): TicketRow {
  const t = event.ticket;
  return {
    number: t.number,
    webhookId: event.id,
    firstSeenAt: previous?.firstSeenAt ?? event.receivedAt,
    updatedAt: event.receivedAt,
    title: t.title,
    event: t.event,
    eventId: t.eventId,
    category: t.category,
    type: t.type,
    price: { amount: t.price.amount, currency: t.price.currency },
    sessionDate: t.sessionDate,
    city: t.city,
    venue: t.venue,
    cancellationReason: t.cancellationReason,
    status: t.status,
    buyerRole: previous?.buyerRole ?? null,
  };
}

export interface Upsert {
  rows: TicketRow[];
  /** False when the list already held this or a newer state of the ticket. */
  changed: boolean;
  replaced?: TicketRow;
}

/**
 * Puts a ticket's newest state in the list: one row per ticket number, ordered by webhook id,
 * newest first. An older state never overwrites a newer one, so replays are harmless.
 */
export function upsertRow(rows: readonly TicketRow[], row: TicketRow, limit = DEFAULT_ROW_LIMIT): Upsert {
  const index = rows.findIndex((r) => r.number === row.number);
  const existing = index >= 0 ? rows[index] : undefined;
  if (existing && existing.webhookId >= row.webhookId) return { rows: rows as TicketRow[], changed: false };
  const next = index >= 0 ? rows.slice(0, index).concat(rows.slice(index + 1)) : rows.slice();
  let at = 0;
  while (at < next.length && next[at].webhookId > row.webhookId) at += 1;
  next.splice(at, 0, existing ? { ...row, firstSeenAt: existing.firstSeenAt, buyerRole: row.buyerRole ?? existing.buyerRole } : row);
  if (next.length > limit) next.length = limit;
  return { rows: next, changed: true, replaced: existing };
}

/** Merges a page from the API (newest states win); `limit` bounds the result. */
export function mergeRows(rows: readonly TicketRow[], page: readonly TicketRow[], limit = DEFAULT_ROW_LIMIT): TicketRow[] {
  let out = rows as TicketRow[];
  for (const row of page) out = upsertRow(out, row, limit).rows;
  return out;
}

export interface RowFilter {
  /** eventId as a string, or '' for all. */
  eventId: string;
  /** category, or '' for all. */
  category: string;
}

export function filterRows(rows: readonly TicketRow[], filter: RowFilter): TicketRow[] {
  return rows.filter(
    (r) => (filter.eventId === '' || String(r.eventId) === filter.eventId) && (filter.category === '' || r.category === filter.category),
  );
}

export interface FilterOptions {
  events: Array<{ eventId: number; event: string }>;
  categories: string[];
}

/** The choices of the filters: every event and category known from the rows and the stats. */
export function filterOptions(
  rows: readonly TicketRow[],
  extra: { events?: ReadonlyArray<{ eventId: number; event: string }>; categories?: readonly string[] } = {},
): FilterOptions {
  const events = new Map<number, string>();
  for (const e of extra.events ?? []) events.set(e.eventId, e.event);
  for (const r of rows) if (!events.has(r.eventId)) events.set(r.eventId, r.event);
  const categories = new Set<string>(extra.categories ?? []);
  for (const r of rows) categories.add(r.category);
  return {
    events: [...events].map(([eventId, event]) => ({ eventId, event })).sort((a, b) => a.event.localeCompare(b.event) || a.eventId - b.eventId),
    categories: [...categories].sort((a, b) => a.localeCompare(b)),
  };
}
