import type { Pool } from 'pg';
import type { EncodedLiveEvent } from '../protocol/liveEvent';
import { classifyDbError } from '../core/errors';

/** What a message asks the relay: relay the stored webhook with this id, whose raw body has this sha256. */
export interface RelayClaim {
  id: number;
  bodySha256: string;
}

export interface RelayedEvent {
  event: EncodedLiveEvent;
  /** False when the webhook had been relayed before: nothing was written. */
  fresh: boolean;
}

/**
 * Why relay_batch refused a message: it names no stored webhook, or one whose body hash is another
 * (both dead-lettered by relay_batch as kind 'unverified'), or a stored webhook that is no ticket event.
 */
export type RefusalReason = 'unknown_webhook' | 'body_mismatch' | 'not_a_ticket';

export interface RelayVerdicts {
  /** By webhook id: the webhooks relayed (or relayed before). */
  relayed: Map<number, RelayedEvent>;
  /** By refusalKey(claim): the claims refused. */
  refused: Map<string, RefusalReason>;
}

export const refusalKey = (claim: RelayClaim): string => `${claim.id} ${claim.bodySha256}`;

interface BatchRow {
  webhook_id: string;
  body_sha256: string | null;
  seq: string | null;
  body: string | null;
  fresh: boolean;
  refused: RefusalReason | null;
}

/**
 * Relays a batch of messages in one call of relay_batch (functions/src/relay/sql/relay_batch.sql):
 * each checked against its stored webhook, whose payload is what gets projected; live_event rows
 * numbered under the live_event lock, so seq order is commit order; the ticket projection by the
 * ticket's history (ticket_apply). Each live event carries its ticket's state after the batch.
 */
export async function relayBatch(pool: Pool, claims: RelayClaim[], relayedAt: Date): Promise<RelayVerdicts> {
  let rows: BatchRow[];
  try {
    // The body as text: it is published as it is (see EncodedLiveEvent), so nothing here parses it.
    ({ rows } = await pool.query<BatchRow>(
      'SELECT webhook_id, body_sha256, seq, body, fresh, refused FROM relay_batch($1::bigint[], $2::text[], $3)',
      [claims.map((c) => c.id), claims.map((c) => c.bodySha256), relayedAt.toISOString()],
    ));
  } catch (error) {
    throw classifyDbError(error);
  }
  const verdicts: RelayVerdicts = { relayed: new Map(), refused: new Map() };
  for (const r of rows) {
    const id = Number(r.webhook_id);
    if (r.refused !== null) verdicts.refused.set(refusalKey({ id, bodySha256: r.body_sha256 ?? '' }), r.refused);
    else verdicts.relayed.set(id, { event: { id, seq: Number(r.seq), json: r.body ?? '' }, fresh: r.fresh });
  }
  return verdicts;
}

/**
 * Rebuilds the ticket projection from every relayed webhook, through ticket_apply and
 * relay_input_of: the rule and the reading the relay follows, so the result is the state the relay
 * reached, whatever order it relayed in. Relay batches wait meanwhile (the table lock); returns the
 * number of tickets.
 */
export async function rebuildTicketProjection(pool: Pool, pageSize = 500): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('LOCK TABLE ticket IN SHARE ROW EXCLUSIVE MODE');
    await client.query('DELETE FROM ticket');
    for (let after = 0; ;) {
      const { rows } = await client.query<{ last: string | null }>(
        `WITH page AS MATERIALIZED (
             SELECT w.id, w.received_at, w.event_type, w.signature_timestamp, w.payload FROM webhook_event w JOIN live_event l ON l.webhook_id = w.id
              WHERE w.id > $1 ORDER BY w.id LIMIT $2
         ), applied AS (
             SELECT 1 FROM ticket_apply(ARRAY(SELECT relay_input_of(p.id, p.received_at, p.event_type, p.signature_timestamp, p.payload) FROM page p
                                               WHERE p.event_type IN ('ticket_created', 'ticket_updated')))
         )
         SELECT (SELECT max(p.id) FROM page p) AS last, (SELECT count(*) FROM applied) AS applied`,
        [after, pageSize],
      );
      if (rows[0].last === null) break;
      after = Number(rows[0].last);
    }
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM ticket');
    await client.query('COMMIT');
    return Number(rows[0].n);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw classifyDbError(error);
  } finally {
    client.release();
  }
}
