import type { Pool } from 'pg';
import type { BrokerConnection } from '../broker/connection';
import { rewriteQueue } from '../broker/queueRewrite';
import { classifyDbError } from '../core/errors';

/**
 * The buyer object once its personal fields are gone: the role stays (the projection's
 * buyer_role and the relay's schema use it, and it names nobody), with a mark that says why the
 * rest is missing. The body hash is kept, so a re-delivery of the original is still a duplicate.
 */
const BLANKED = `jsonb_build_object('role', payload #> '{details,buyer,role}', 'erased', true)`;

/** Rows whose buyer still holds anything besides the role. */
const HAS_PERSONAL = `jsonb_typeof(payload #> '{details,buyer}') = 'object' AND (payload #> '{details,buyer}') - 'role' - 'erased' <> '{}'::jsonb`;

/** RAW_RETENTION_DAYS: blanks the buyer of every stored webhook received before `before`; returns how many. */
export async function blankBuyersReceivedBefore(pool: Pool, before: Date): Promise<number> {
  const result = await pool.query(
    `UPDATE webhook_event SET payload = jsonb_set(payload, '{details,buyer}', ${BLANKED}) WHERE received_at < $1 AND ${HAS_PERSONAL}`,
    [before],
  );
  return result.rowCount ?? 0;
}

interface ErasureRow {
  ids: string[];
  erased: string;
  reasons: string;
}

export interface TicketErasure {
  /** The ids of the ticket's stored webhooks. */
  ids: number[];
  /** How many of them still held personal buyer fields. */
  erased: number;
  /** Dead-letter and relay-failure reasons of those webhooks that quoted a personal value, now without it. */
  reasons: number;
}

/**
 * An erasure request: blanks the buyer of every stored webhook of one ticket, and takes the
 * buyer's values out of the reasons kept for those webhooks' failures (dead_letter, relay_failure).
 * A reason is the relay's error text, which holds no payload; an error that quoted a value is
 * still covered. One statement, so the values are read before they are blanked.
 */
export async function eraseBuyerOfTicket(pool: Pool, ticketNumber: string): Promise<TicketErasure> {
  const { rows } = await pool
    .query<ErasureRow>(
      `WITH ticket_webhooks AS (
           SELECT id, payload #> '{details,buyer}' AS buyer FROM webhook_event WHERE ticket_number = $1 FOR UPDATE
       ), personal AS (
           -- Each personal value as a regular expression that matches it literally (every other character escaped), longest first.
           SELECT string_agg(regexp_replace(v.value, '([^[:alnum:][:space:]])', '\\\\\\1', 'g'), '|' ORDER BY length(v.value) DESC) AS pattern
             FROM (SELECT DISTINCT e.value FROM ticket_webhooks t
                     CROSS JOIN LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(t.buyer) = 'object' THEN t.buyer - 'role' - 'erased' ELSE '{}' END) AS e
                    WHERE e.value <> '') AS v
       ), erased AS (
           UPDATE webhook_event SET payload = jsonb_set(payload, '{details,buyer}', ${BLANKED})
            WHERE ticket_number = $1 AND ${HAS_PERSONAL}
           RETURNING id
       ), dead AS (
           UPDATE dead_letter d SET reason = regexp_replace(d.reason, p.pattern, '[erased]', 'g') FROM personal p
            WHERE p.pattern IS NOT NULL AND d.webhook_id IN (SELECT id FROM ticket_webhooks) AND d.reason ~ p.pattern
           RETURNING 1
       ), failures AS (
           UPDATE relay_failure f SET reason = regexp_replace(f.reason, p.pattern, '[erased]', 'g') FROM personal p
            WHERE p.pattern IS NOT NULL AND f.webhook_id IN (SELECT id FROM ticket_webhooks) AND f.reason ~ p.pattern
           RETURNING 1
       )
       SELECT ARRAY(SELECT id FROM ticket_webhooks ORDER BY id)::text[] AS ids, (SELECT count(*) FROM erased) AS erased,
              (SELECT count(*) FROM dead) + (SELECT count(*) FROM failures) AS reasons`,
      [ticketNumber],
    )
    .catch((error: unknown) => {
      // A database outage is a 503 the caller can retry, not a 500.
      throw classifyDbError(error);
    });
  return { ids: rows[0].ids.map(Number), erased: Number(rows[0].erased), reasons: Number(rows[0].reasons) };
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A petzi.webhooks message (as the relay queue and its dead-letter queue hold it) with the buyer of
 * its payload blanked as in Postgres, when it belongs to the ticket (by the payload's ticket number,
 * or by naming one of the ticket's webhooks) and its buyer still holds anything besides the role;
 * otherwise undefined. Only the payload changes: the id and the body hash stay, and the relay reads
 * the payload from Postgres anyway.
 */
export function withoutBuyer(
  content: Buffer,
  ticketNumber: string,
  webhookIds: ReadonlySet<number>,
): Buffer | undefined {
  let message: unknown;
  try {
    message = JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(message) || !isObject(message.payload) || !isObject(message.payload.details)) return undefined;
  const details = message.payload.details;
  const number = isObject(details.ticket) ? details.ticket.number : undefined;
  if (number !== ticketNumber && !(typeof message.id === 'number' && webhookIds.has(message.id))) return undefined;
  const buyer = details.buyer;
  if (buyer === undefined || (isObject(buyer) && Object.keys(buyer).every((key) => key === 'role' || key === 'erased')))
    return undefined;
  details.buyer = { role: isObject(buyer) ? (buyer.role ?? null) : null, erased: true };
  return Buffer.from(JSON.stringify(message));
}

/**
 * The erasure's reach into the broker: every message of the ticket that petzi.relay.dlq holds now
 * is put back without its buyer (withoutBuyer). Returns how many were. The dead-letter queue is
 * normally empty (the dead-letter recorder drains it into Postgres, which keeps no payload), but
 * it fills while the recorder does not run.
 */
export async function eraseBuyerFromQueue(
  broker: BrokerConnection,
  queue: string,
  ticketNumber: string,
  webhookIds: readonly number[],
): Promise<number> {
  const ids = new Set(webhookIds);
  const { rewritten } = await rewriteQueue(broker, queue, (content) => withoutBuyer(content, ticketNumber, ids), {
    'x-petzi-buyer-erased': true,
  });
  return rewritten;
}
