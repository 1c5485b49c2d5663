import type { Pool } from 'pg';
import type { EncodedLiveEvent } from '../protocol/liveEvent';
import type { RelayInput } from './project';
import { classifyDbError } from '../core/errors';
import { relayInputRow } from './relayInputRow';

export type { RelayInput };

/** A batch as the JSON array of relay_input rows that relay_batch and ticket_apply read (migration 008). */
const toBatch = (inputs: RelayInput[]) => JSON.stringify(inputs.map(relayInputRow));

export interface RelayedEvent {
  event: EncodedLiveEvent;
  /** False when the webhook had been relayed before: nothing was written. */
  fresh: boolean;
}

/**
 * Writes a batch of relayed webhooks in one call of relay_batch (migrations 004, 008): live_event
 * rows numbered under the live_event lock, so seq order is commit order, and the ticket projection
 * by the ticket's history (ticket_apply). Each live event carries its ticket's state after the
 * batch. Returns one entry per distinct webhook.
 */
export async function relayBatch(pool: Pool, inputs: RelayInput[], relayedAt: Date): Promise<Map<number, RelayedEvent>> {
  try {
    // The body as text: it is published as it is (see EncodedLiveEvent), so nothing here parses it.
    const { rows } = await pool.query<{ webhook_id: string; seq: string; body: string; fresh: boolean }>('SELECT webhook_id, seq, body, fresh FROM relay_batch($1::json, $2)', [
      toBatch(inputs),
      relayedAt.toISOString(),
    ]);
    return new Map(rows.map((r) => [Number(r.webhook_id), { event: { id: Number(r.webhook_id), seq: Number(r.seq), json: r.body }, fresh: r.fresh }]));
  } catch (error) {
    throw classifyDbError(error);
  }
}

export interface RelayedRow {
  id: string;
  received_at: Date;
  event_type: string;
  payload: unknown;
}

/**
 * Rebuilds the ticket projection from every relayed webhook, through ticket_apply: the rule the
 * relay follows, so the result is the state the relay reached, whatever order it relayed in.
 * Relay batches wait meanwhile (the table lock); returns the number of tickets.
 */
export async function rebuildTicketProjection(pool: Pool, inputOf: (row: RelayedRow) => RelayInput | null, pageSize = 500): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('LOCK TABLE ticket IN SHARE ROW EXCLUSIVE MODE');
    await client.query('DELETE FROM ticket');
    for (let after = 0; ;) {
      const { rows } = await client.query<RelayedRow>(
        `SELECT w.id, w.received_at, w.event_type, w.payload FROM webhook_event w JOIN live_event l ON l.webhook_id = w.id
          WHERE w.id > $1 ORDER BY w.id LIMIT $2`,
        [after, pageSize],
      );
      if (rows.length === 0) break;
      const inputs = rows.map(inputOf).filter((i): i is RelayInput => i !== null);
      await client.query('SELECT count(*) FROM ticket_apply(ARRAY(SELECT r FROM json_populate_recordset(NULL::relay_input, $1::json) AS r))', [toBatch(inputs)]);
      after = Number(rows[rows.length - 1].id);
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
