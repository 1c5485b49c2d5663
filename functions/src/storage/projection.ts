import type { Pool } from 'pg';
import type { LiveEvent } from '../relay/liveEvent';
import { classifyDbError } from './errors';

export interface RelayInput {
  live: Omit<LiveEvent, 'seq' | 'relayedAt'>;
  buyerRole: string | null;
}

export interface RelayedEvent {
  event: LiveEvent;
  /** False when the webhook had been relayed before: nothing was written. */
  fresh: boolean;
}

/**
 * Writes a batch of relayed webhooks in one call of relay_batch (migration 003): live_event rows
 * numbered under the live_event lock, so seq order is commit order, and the ticket projection,
 * where an older webhook never overwrites a newer one. Returns one entry per distinct webhook.
 */
export async function relayBatch(pool: Pool, inputs: RelayInput[], relayedAt: Date): Promise<Map<number, RelayedEvent>> {
  try {
    const { rows } = await pool.query<{ webhook_id: string; body: LiveEvent; fresh: boolean }>(
      'SELECT webhook_id, body, fresh FROM relay_batch($1::jsonb, $2)',
      [JSON.stringify(inputs.map((i) => ({ id: i.live.id, buyerRole: i.buyerRole, live: i.live }))), relayedAt.toISOString()],
    );
    return new Map(rows.map((r) => [Number(r.webhook_id), { event: r.body, fresh: r.fresh }]));
  } catch (error) {
    throw classifyDbError(error);
  }
}
