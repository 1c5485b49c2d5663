import type { Pool } from 'pg';
import type { LiveTicket } from '../relay/liveEvent';
import { classifyDbError } from './errors';

/** A projection row: the live event's ticket plus what the projection tracks about it. */
export interface TicketRow extends LiveTicket {
  webhookId: number;
  firstSeenAt: string;
  updatedAt: string;
  buyerRole: string | null;
}

interface TicketDbRow {
  number: string;
  webhook_id: string;
  first_seen_at: Date;
  updated_at: Date;
  title: string;
  event: string;
  event_id: number;
  category: string;
  type: string;
  price_amount: string;
  price_currency: string;
  session_date: string | null;
  city: string | null;
  venue: string | null;
  cancellation_reason: string;
  status: 'valid' | 'cancelled';
  buyer_role: string | null;
}

const TICKET_COLUMNS = `number, webhook_id, first_seen_at, updated_at, title, event, event_id, category, type,
  price_amount::text AS price_amount, price_currency, to_char(session_date, 'YYYY-MM-DD') AS session_date,
  city, venue, cancellation_reason, status, buyer_role`;

function toTicket(row: TicketDbRow): TicketRow {
  return {
    number: row.number,
    webhookId: Number(row.webhook_id),
    firstSeenAt: row.first_seen_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    title: row.title,
    event: row.event,
    eventId: row.event_id,
    category: row.category,
    type: row.type,
    price: { amount: row.price_amount, currency: row.price_currency },
    sessionDate: row.session_date,
    city: row.city,
    venue: row.venue,
    cancellationReason: row.cancellation_reason,
    status: row.status,
    buyerRole: row.buyer_role,
  };
}

async function run<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw classifyDbError(error);
  }
}

/** Newest first by the ticket's latest webhook; `before` is the last webhookId of the previous page. */
export function listTickets(pool: Pool, limit: number, before?: number): Promise<TicketRow[]> {
  return run(async () => {
    const { rows } = await pool.query<TicketDbRow>(
      `SELECT ${TICKET_COLUMNS} FROM ticket WHERE ($2::bigint IS NULL OR webhook_id < $2) ORDER BY webhook_id DESC LIMIT $1`,
      [limit, before ?? null],
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

export function ticketWithHistory(pool: Pool, number: string): Promise<{ ticket: TicketRow | null; webhooks: StoredWebhook[] }> {
  return run(async () => {
    const [ticket, history] = await Promise.all([
      pool.query<TicketDbRow>(`SELECT ${TICKET_COLUMNS} FROM ticket WHERE number = $1`, [number]),
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

export interface Stats {
  ticketsSold: number;
  cancellations: number;
  cancellationRate: number;
  revenue: Array<{ currency: string; amount: string }>;
  averagePrice: Array<{ currency: string; amount: string }>;
  byCategory: Array<{ category: string; tickets: number }>;
  byEvent: Array<{ eventId: number; event: string; tickets: number }>;
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
      const events = await client.query<{ event_id: number; event: string; tickets: string }>(
        `SELECT event_id, max(event) AS event, count(*) AS tickets FROM ticket WHERE status = 'valid'
          GROUP BY event_id ORDER BY count(*) DESC, event_id LIMIT 10`,
      );
      const minutes = await client.query<{ minute: Date; tickets: string }>(
        `SELECT m AS minute, count(t.number) AS tickets
           FROM generate_series(date_trunc('minute', now()) - interval '59 minutes', date_trunc('minute', now()), interval '1 minute') AS m
           LEFT JOIN ticket t ON date_trunc('minute', t.first_seen_at) = m
          GROUP BY m ORDER BY m`,
      );
      const recent = await client.query<{ n: string }>("SELECT count(*) AS n FROM webhook_event WHERE received_at > now() - interval '1 minute'");
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
        byEvent: events.rows.map((r) => ({ eventId: r.event_id, event: r.event, tickets: Number(r.tickets) })),
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
