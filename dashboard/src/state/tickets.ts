import type { LiveEvent, TicketRow } from '../types';

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

/** The sort orders of GET /api/tickets (`-` = descending); `updated` is the newest change first. */
export type TicketSort = 'updated' | 'sold' | '-sold' | 'price' | '-price' | 'number' | '-number';

/** The questions the table asks the API; '' means "any". */
export interface TicketQuery {
  event: string;
  category: string;
  status: '' | 'valid' | 'cancelled';
  q: string;
  /** ISO instants bounding the sale time (the ticket's first webhook). */
  from: string;
  to: string;
  sort: TicketSort;
}

export const NO_FILTER: TicketQuery = { event: '', category: '', status: '', q: '', from: '', to: '', sort: 'updated' };

export function isFiltered(query: TicketQuery): boolean {
  return (
    query.event !== '' ||
    query.category !== '' ||
    query.status !== '' ||
    query.q.trim() !== '' ||
    query.from !== '' ||
    query.to !== ''
  );
}

/** The same test as the API's WHERE clause (readModels.ts), for live events arriving while filtered. */
export function matchesQuery(row: TicketRow, query: TicketQuery): boolean {
  if (query.event !== '' && String(row.eventId) !== query.event) return false;
  if (query.category !== '' && row.category !== query.category) return false;
  if (query.status !== '' && row.status !== query.status) return false;
  const q = query.q.trim().toLowerCase();
  if (q !== '' && !row.number.toLowerCase().includes(q) && !row.title.toLowerCase().includes(q)) return false;
  if (query.from !== '' && row.firstSeenAt < new Date(query.from).toISOString()) return false;
  if (query.to !== '' && row.firstSeenAt >= new Date(query.to).toISOString()) return false;
  return true;
}

const byNumber = (a: TicketRow, b: TicketRow) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0);
const cents = (r: TicketRow) => Math.round(Number(r.price.amount) * 100);

/** The order of each sort, ties broken by ticket number as the API does. */
export function comparator(sort: TicketSort): (a: TicketRow, b: TicketRow) => number {
  switch (sort) {
    case 'updated':
      return (a, b) => b.webhookId - a.webhookId;
    case 'sold':
      return (a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt) || byNumber(a, b);
    case '-sold':
      return (a, b) => b.firstSeenAt.localeCompare(a.firstSeenAt) || byNumber(b, a);
    case 'price':
      return (a, b) => cents(a) - cents(b) || byNumber(a, b);
    case '-price':
      return (a, b) => cents(b) - cents(a) || byNumber(b, a);
    case 'number':
      return byNumber;
    case '-number':
      return (a, b) => byNumber(b, a);
  }
}

/**
 * Puts a ticket's newest state into `rows` (mutated, already in `order`): one row per ticket
 * number, an older state never overwriting a newer one (replays are harmless), a row that no
 * longer matches the query taken out. Returns whether anything changed.
 */
export function upsertInto(rows: TicketRow[], row: TicketRow, query: TicketQuery = NO_FILTER): boolean {
  const index = rows.findIndex((r) => r.number === row.number);
  const existing = index >= 0 ? rows[index] : undefined;
  if (existing && existing.webhookId >= row.webhookId) return false;
  const next = existing
    ? { ...row, firstSeenAt: existing.firstSeenAt, buyerRole: row.buyerRole ?? existing.buyerRole }
    : row;
  if (index >= 0) rows.splice(index, 1);
  if (!matchesQuery(next, query)) return index >= 0;
  const order = comparator(query.sort);
  // Binary search: rows are kept in order.
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (order(rows[mid], next) <= 0) lo = mid + 1;
    else hi = mid;
  }
  rows.splice(lo, 0, next);
  return true;
}

export interface Upsert {
  rows: TicketRow[];
  /** False when the list already held this or a newer state of the ticket. */
  changed: boolean;
}

/** upsertInto on a copy. Rows are never cut: what the user loaded stays (the table is virtual). */
export function upsertRow(rows: readonly TicketRow[], row: TicketRow, query: TicketQuery = NO_FILTER): Upsert {
  const next = rows.slice();
  const changed = upsertInto(next, row, query);
  return { rows: changed ? next : (rows as TicketRow[]), changed };
}

/** Merges a page from the API (newest states win). */
export function mergeRows(
  rows: readonly TicketRow[],
  page: readonly TicketRow[],
  query: TicketQuery = NO_FILTER,
): TicketRow[] {
  const next = rows.slice();
  for (const row of page) upsertInto(next, row, query);
  return next;
}

/** An event as box-office staff tell them apart: name, date and venue, one entry per eventId. */
export interface EventChoice {
  eventId: number;
  event: string;
  sessionDate: string | null;
  venue: string | null;
  city: string | null;
}
