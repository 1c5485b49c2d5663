import type { PoolClient } from 'pg';
import type { LiveEvent, LiveTicket } from '../relay/liveEvent';

export interface ProjectionInput {
  webhookId: number;
  receivedAt: string;
  ticket: LiveTicket;
  buyerRole: string | null;
}

// Every column but the key follows the newest webhook; first_seen_at keeps the oldest.
const FOLLOW_NEWEST = [
  'updated_at', 'title', 'event', 'event_id', 'category', 'type', 'price_amount', 'price_currency',
  'session_date', 'city', 'venue', 'cancellation_reason', 'status', 'buyer_role',
];

const UPSERT = `
  INSERT INTO ticket (number, webhook_id, first_seen_at, updated_at, title, event, event_id, category, type,
                      price_amount, price_currency, session_date, city, venue, cancellation_reason, status, buyer_role)
  SELECT number, webhook_id, received_at, received_at, title, event, event_id, category, type,
         price_amount, price_currency, session_date, city, venue, cancellation_reason, status, buyer_role
    FROM jsonb_to_recordset($1::jsonb) AS t(
      number text, webhook_id bigint, received_at timestamptz, title text, event text, event_id integer,
      category text, type text, price_amount numeric, price_currency text, session_date date, city text,
      venue text, cancellation_reason text, status text, buyer_role text)
  ON CONFLICT (number) DO UPDATE SET
    webhook_id = GREATEST(ticket.webhook_id, EXCLUDED.webhook_id),
    first_seen_at = LEAST(ticket.first_seen_at, EXCLUDED.first_seen_at),
    ${FOLLOW_NEWEST.map((c) => `${c} = CASE WHEN EXCLUDED.webhook_id > ticket.webhook_id THEN EXCLUDED.${c} ELSE ticket.${c} END`).join(',\n    ')}`;

/** Applies webhooks to the projection; an older webhook never overwrites a newer one. */
export async function upsertTickets(client: PoolClient, inputs: ProjectionInput[]): Promise<void> {
  // One statement cannot touch a row twice: keep the newest webhook per ticket of this batch.
  const newest = new Map<string, ProjectionInput>();
  for (const input of inputs) {
    const seen = newest.get(input.ticket.number);
    if (!seen || seen.webhookId < input.webhookId) {
      newest.set(input.ticket.number, {
        ...input,
        receivedAt: seen && Date.parse(seen.receivedAt) < Date.parse(input.receivedAt) ? seen.receivedAt : input.receivedAt,
      });
    }
  }
  if (newest.size === 0) return;
  const rows = [...newest.values()].map(({ webhookId, receivedAt, ticket, buyerRole }) => ({
    number: ticket.number,
    webhook_id: webhookId,
    received_at: receivedAt,
    title: ticket.title,
    event: ticket.event,
    event_id: ticket.eventId,
    category: ticket.category,
    type: ticket.type,
    price_amount: ticket.price.amount,
    price_currency: ticket.price.currency,
    session_date: ticket.sessionDate,
    city: ticket.city,
    venue: ticket.venue,
    cancellation_reason: ticket.cancellationReason,
    status: ticket.status,
    buyer_role: buyerRole,
  }));
  await client.query(UPSERT, [JSON.stringify(rows)]);
}

// Any constant works; every relay process must use the same one.
const LIVE_LOCK = 0x71fe;

/**
 * Serialises live_event writers for the rest of the transaction, so that seq order is commit
 * order and a reader that sees seq N has seen everything below it.
 */
export async function lockLiveEvents(client: PoolClient): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [LIVE_LOCK]);
}

export async function existingLiveEvents(client: PoolClient, webhookIds: number[]): Promise<Map<number, LiveEvent>> {
  const { rows } = await client.query<{ webhook_id: string; body: LiveEvent }>(
    'SELECT webhook_id, body FROM live_event WHERE webhook_id = ANY($1)',
    [webhookIds],
  );
  return new Map(rows.map((r) => [Number(r.webhook_id), r.body]));
}

/** Reserves consecutive seq values; call under lockLiveEvents. */
export async function nextLiveSeqs(client: PoolClient, count: number): Promise<number[]> {
  if (count === 0) return [];
  const { rows } = await client.query<{ seq: string }>(
    "SELECT nextval(pg_get_serial_sequence('live_event', 'seq')) AS seq FROM generate_series(1, $1)",
    [count],
  );
  return rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
}

export async function insertLiveEvents(client: PoolClient, events: LiveEvent[]): Promise<void> {
  if (events.length === 0) return;
  await client.query(
    `INSERT INTO live_event (seq, webhook_id, relayed_at, body)
     SELECT (e->>'seq')::bigint, (e->>'id')::bigint, (e->>'relayedAt')::timestamptz, e
       FROM jsonb_array_elements($1::jsonb) AS e`,
    [JSON.stringify(events)],
  );
}
