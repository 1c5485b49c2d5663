import type { Pool } from 'pg';
import { TICKET_ROW_COLUMNS, ticketFields, type TicketField, type TicketRow } from '../protocol/ticket';
import { classifyDbError } from '../core/errors';

const TICKET_FIELDS = ticketFields(TICKET_ROW_COLUMNS);

/** How a column is selected: numbers as text (no float rounding), dates as YYYY-MM-DD (no time zone). */
function selected(field: TicketField): string {
  if (field.sqlType === 'numeric') return `${field.column}::text AS ${field.column}`;
  if (field.sqlType === 'date') return `to_char(${field.column}, 'YYYY-MM-DD') AS ${field.column}`;
  return field.column;
}

const TICKET_COLUMNS = TICKET_FIELDS.map(selected).join(', ');

/** A selected value as its field holds it: bigint ids (pg's strings) as numbers, timestamps as ISO strings. */
function fieldValue(field: TicketField, value: unknown): unknown {
  if (value === null) return null;
  if (field.sqlType === 'bigint') return Number(value);
  if (field.sqlType === 'timestamp with time zone') return (value as Date).toISOString();
  return value;
}

function toTicket(row: Record<string, unknown>): TicketRow {
  const ticket: Record<string, unknown> = {};
  for (const field of TICKET_FIELDS) {
    let target = ticket;
    for (const key of field.path.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    target[field.path[field.path.length - 1]] = fieldValue(field, row[field.column]);
  }
  return ticket as unknown as TicketRow;
}

async function run<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw classifyDbError(error);
  }
}

/** The sort orders of the ticket list; `-` is descending, `updated` the newest change first. */
export const TICKET_SORTS = ['updated', 'sold', '-sold', 'price', '-price', 'number', '-number'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

export interface TicketFilter {
  eventId?: number;
  category?: string;
  status?: 'valid' | 'cancelled';
  /** A piece of the ticket number or the title, case-insensitive. */
  q?: string;
  /** Sale time (the ticket's first webhook received), from inclusive, to exclusive. */
  from?: Date;
  to?: Date;
}

/** Where the previous page ended: the last row's sort key and number. */
export type TicketCursor =
  { sort: 'updated'; webhookId: number } | { sort: Exclude<TicketSort, 'updated'>; key: string; number: string };

interface SortSql {
  order: string;
  /** The keyset condition after a cursor, with $k (key) and $n (number) placeholders. */
  after: string;
}

const SORT_SQL: Record<Exclude<TicketSort, 'updated'>, SortSql> = {
  sold: { order: 'first_seen_at ASC, number ASC', after: '(first_seen_at, number) > ($k::timestamptz, $n)' },
  '-sold': { order: 'first_seen_at DESC, number DESC', after: '(first_seen_at, number) < ($k::timestamptz, $n)' },
  // Qualified: the select list's price_amount is its text form, which would sort "100.00" first.
  price: { order: 'ticket.price_amount ASC, number ASC', after: '(ticket.price_amount, number) > ($k::numeric, $n)' },
  '-price': {
    order: 'ticket.price_amount DESC, number DESC',
    after: '(ticket.price_amount, number) < ($k::numeric, $n)',
  },
  number: { order: 'number ASC', after: 'number > $n' },
  '-number': { order: 'number DESC', after: 'number < $n' },
};

/** LIKE's own characters taken literally. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The WHERE clause of a filter and a cursor, with its parameters numbered from 1. */
function ticketWhere(filter: TicketFilter, cursor: TicketCursor | undefined): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const clauses: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.eventId !== undefined) clauses.push(`event_id = ${param(filter.eventId)}`);
  if (filter.category !== undefined) clauses.push(`category = ${param(filter.category)}`);
  if (filter.status !== undefined) clauses.push(`status = ${param(filter.status)}`);
  if (filter.q !== undefined) {
    const pattern = param(`%${likeLiteral(filter.q)}%`);
    clauses.push(`(number ILIKE ${pattern} OR title ILIKE ${pattern})`);
  }
  if (filter.from !== undefined) clauses.push(`first_seen_at >= ${param(filter.from)}`);
  if (filter.to !== undefined) clauses.push(`first_seen_at < ${param(filter.to)}`);
  if (cursor?.sort === 'updated') clauses.push(`webhook_id < ${param(cursor.webhookId)}`);
  else if (cursor) {
    const after = SORT_SQL[cursor.sort].after;
    const k = after.includes('$k') ? param(cursor.key) : '';
    const n = param(cursor.number);
    clauses.push(after.replace('$k', k).replace('$n', n));
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** The cursor that continues after `row` in `sort` order. */
export function cursorAfter(row: TicketRow, sort: TicketSort): TicketCursor {
  if (sort === 'updated') return { sort, webhookId: row.webhookId };
  const key =
    sort === 'sold' || sort === '-sold'
      ? row.firstSeenAt
      : sort === 'price' || sort === '-price'
        ? row.price.amount
        : row.number;
  return { sort, key, number: row.number };
}

/** One page of the tickets matching `filter`, in `sort` order, after `cursor`. */
export function listTickets(
  pool: Pool,
  options: { limit: number; filter?: TicketFilter; sort?: TicketSort; cursor?: TicketCursor },
): Promise<TicketRow[]> {
  return run(async () => {
    const sort = options.sort ?? 'updated';
    const where = ticketWhere(options.filter ?? {}, options.cursor);
    const order = sort === 'updated' ? 'webhook_id DESC' : SORT_SQL[sort].order;
    const { rows } = await pool.query<Record<string, unknown>>(
      `SELECT ${TICKET_COLUMNS} FROM ticket ${where.sql} ORDER BY ${order} LIMIT $${where.params.length + 1}`,
      [...where.params, options.limit],
    );
    return rows.map(toTicket);
  });
}

export interface StoredWebhook {
  id: number;
  receivedAt: string;
  eventType: string;
  publishedAt: string | null;
  payload: unknown;
}

export function ticketWithHistory(
  pool: Pool,
  number: string,
): Promise<{ ticket: TicketRow | null; webhooks: StoredWebhook[] }> {
  return run(async () => {
    const [ticket, history] = await Promise.all([
      pool.query<Record<string, unknown>>(`SELECT ${TICKET_COLUMNS} FROM ticket WHERE number = $1`, [number]),
      pool.query<{ id: string; received_at: Date; event_type: string; published_at: Date | null; payload: unknown }>(
        'SELECT id, received_at, event_type, published_at, payload FROM webhook_event WHERE ticket_number = $1 ORDER BY id',
        [number],
      ),
    ]);
    return {
      ticket: ticket.rows[0] ? toTicket(ticket.rows[0]) : null,
      webhooks: history.rows.map((r) => ({
        id: Number(r.id),
        receivedAt: r.received_at.toISOString(),
        eventType: r.event_type,
        publishedAt: r.published_at?.toISOString() ?? null,
        payload: r.payload,
      })),
    };
  });
}

/** An event as staff tell events apart: its name, first session date and venue. */
export interface EventSummary {
  eventId: number;
  event: string;
  sessionDate: string | null;
  venue: string | null;
  city: string | null;
}

interface EventDbRow {
  event_id: number;
  event: string;
  session_date: string | null;
  venue: string | null;
  city: string | null;
  tickets: string;
}

const toEvent = (r: EventDbRow) => ({
  eventId: r.event_id,
  event: r.event,
  sessionDate: r.session_date,
  venue: r.venue,
  city: r.city,
  tickets: Number(r.tickets),
});

export interface Stats {
  ticketsSold: number;
  cancellations: number;
  cancellationRate: number;
  revenue: Array<{ currency: string; amount: string }>;
  averagePrice: Array<{ currency: string; amount: string }>;
  byCategory: Array<{ category: string; tickets: number }>;
  byEvent: Array<EventSummary & { tickets: number }>;
  /** Every event, for the filter: told apart by date and venue, not only by name. */
  events: Array<EventSummary & { tickets: number }>;
  salesPerMinute: Array<{ minute: string; tickets: number }>;
  webhooksLastMinute: number;
  /**
   * The seq of the newest live event these figures include. The relay writes the projection and
   * live_event in one transaction, in seq order, so the figures hold exactly the events up to
   * it: a client adds only live events above it.
   */
  asOfSeq: number;
}

/**
 * Sold means not cancelled; revenue and averages count sold tickets only. Every figure comes
 * from one snapshot (REPEATABLE READ), so they agree with each other and with asOfSeq.
 */
export function ticketStats(pool: Pool): Promise<Stats> {
  return run(async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const counts = await client.query<{ sold: string; cancelled: string }>(
        "SELECT count(*) FILTER (WHERE status = 'valid') AS sold, count(*) FILTER (WHERE status = 'cancelled') AS cancelled FROM ticket",
      );
      const money = await client.query<{ currency: string; revenue: string; average: string }>(
        `SELECT price_currency AS currency, sum(price_amount)::numeric(14, 2)::text AS revenue,
                round(avg(price_amount), 2)::text AS average
           FROM ticket WHERE status = 'valid' GROUP BY price_currency ORDER BY price_currency`,
      );
      const categories = await client.query<{ category: string; tickets: string }>(
        "SELECT category, count(*) AS tickets FROM ticket WHERE status = 'valid' GROUP BY category ORDER BY count(*) DESC, category",
      );
      const events = await client.query<EventDbRow>(
        `SELECT event_id, max(event) AS event, to_char(min(session_date), 'YYYY-MM-DD') AS session_date, max(venue) AS venue, max(city) AS city,
                count(*) FILTER (WHERE status = 'valid') AS tickets
           FROM ticket GROUP BY event_id ORDER BY max(event), min(session_date), event_id`,
      );
      const top = events.rows
        .filter((r) => Number(r.tickets) > 0)
        .sort((a, b) => Number(b.tickets) - Number(a.tickets) || a.event_id - b.event_id);
      const minutes = await client.query<{ minute: Date; tickets: string }>(
        `SELECT m AS minute, count(t.number) AS tickets
           FROM generate_series(date_trunc('minute', now()) - interval '59 minutes', date_trunc('minute', now()), interval '1 minute') AS m
           LEFT JOIN ticket t ON date_trunc('minute', t.first_seen_at) = m
          GROUP BY m ORDER BY m`,
      );
      const recent = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM webhook_event WHERE received_at > now() - interval '1 minute'",
      );
      const covered = await client.query<{ seq: string }>('SELECT coalesce(max(seq), 0) AS seq FROM live_event');
      await client.query('COMMIT');
      const sold = Number(counts.rows[0].sold);
      const cancelled = Number(counts.rows[0].cancelled);
      return {
        ticketsSold: sold,
        cancellations: cancelled,
        cancellationRate: sold + cancelled === 0 ? 0 : Math.round((cancelled / (sold + cancelled)) * 10_000) / 10_000,
        revenue: money.rows.map((r) => ({ currency: r.currency, amount: r.revenue })),
        averagePrice: money.rows.map((r) => ({ currency: r.currency, amount: r.average })),
        byCategory: categories.rows.map((r) => ({ category: r.category, tickets: Number(r.tickets) })),
        byEvent: top.slice(0, 10).map(toEvent),
        events: events.rows.map(toEvent),
        salesPerMinute: minutes.rows.map((r) => ({ minute: r.minute.toISOString(), tickets: Number(r.tickets) })),
        webhooksLastMinute: Number(recent.rows[0].n),
        asOfSeq: Number(covered.rows[0].seq),
      };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  });
}

export type SalesBucket = 'minute' | 'hour' | 'day';

/** Tickets by the time they were first seen, in buckets of `bucket` (in `zone`) between from and to. */
export function salesSeries(
  pool: Pool,
  from: Date,
  to: Date,
  bucket: SalesBucket,
  zone: string,
): Promise<Array<{ at: string; tickets: number }>> {
  return run(async () => {
    const { rows } = await pool.query<{ at: Date; tickets: string }>(
      `SELECT b AS at, count(t.number) AS tickets
         FROM generate_series(date_trunc($3, $1::timestamptz, $4), $2::timestamptz - interval '1 microsecond', ('1 ' || $3)::interval) AS b
         LEFT JOIN ticket t ON t.first_seen_at >= $1 AND t.first_seen_at < $2 AND date_trunc($3, t.first_seen_at, $4) = b
        GROUP BY b ORDER BY b`,
      [from, to, bucket, zone],
    );
    return rows.map((r) => ({ at: r.at.toISOString(), tickets: Number(r.tickets) }));
  });
}
