import type { Pool } from 'pg';
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
  const result = await pool.query(`UPDATE webhook_event SET payload = jsonb_set(payload, '{details,buyer}', ${BLANKED}) WHERE received_at < $1 AND ${HAS_PERSONAL}`, [before]);
  return result.rowCount ?? 0;
}

interface ErasureRow {
  webhooks: string;
  erased: string;
}

/** An erasure request: blanks the buyer of every stored webhook of one ticket. */
export async function eraseBuyerOfTicket(pool: Pool, ticketNumber: string): Promise<{ webhooks: number; erased: number }> {
  const { rows } = await pool
    .query<ErasureRow>(
      `WITH erased AS (
       UPDATE webhook_event SET payload = jsonb_set(payload, '{details,buyer}', ${BLANKED})
        WHERE ticket_number = $1 AND ${HAS_PERSONAL}
        RETURNING id)
     SELECT (SELECT count(*) FROM webhook_event WHERE ticket_number = $1) AS webhooks, (SELECT count(*) FROM erased) AS erased`,
      [ticketNumber],
    )
    .catch((error: unknown) => {
      // A database outage is a 503 the caller can retry, not a 500.
      throw classifyDbError(error);
    });
  return { webhooks: Number(rows[0].webhooks), erased: Number(rows[0].erased) };
}
