import type { Pool } from 'pg';
import type { BrokerConnection } from '../broker/connection';
import { encodeWebhookMessage } from '../protocol/webhookMessage';
import type { StoredWebhookRow } from './deadLettersSql';

/** What a redrive or a replay needs: Postgres to read from, the relay queue to put messages back on. */
export interface RelayRequeueDeps {
  pool: Pool;
  broker: BrokerConnection;
  /** petzi.relay (with the topology prefix): published to directly, through the default exchange. */
  relayQueue: string;
}

/**
 * Puts a stored webhook back on the relay queue as the outbox would have published it. Straight
 * to the queue, not through petzi.webhooks, so no other binding of that exchange sees it twice.
 */
export function requeueWebhook(
  deps: RelayRequeueDeps,
  row: StoredWebhookRow,
  why: 'redrive' | 'replay',
): Promise<void> {
  const message = {
    id: Number(row.id),
    receivedAt: row.received_at.toISOString(),
    event: row.event_type,
    bodySha256: row.body_sha256,
    payloadJson: row.payload,
  };
  return deps.broker.publish('', deps.relayQueue, encodeWebhookMessage(message), {
    persistent: true,
    contentType: 'application/json',
    messageId: row.id,
    type: row.event_type,
    timestamp: Math.floor(row.received_at.getTime() / 1000),
    headers: { 'x-petzi-requeued-by': why },
  });
}

/** How many messages wait in the relay queue, read on a channel of its own; close() when done. */
export async function relayBacklogProbe(
  deps: RelayRequeueDeps,
): Promise<{ depth(): Promise<number>; close(): Promise<void> }> {
  const channel = await deps.broker.createChannel();
  // A failed check closes the channel; the caller's replay fails with it rather than floods the queue.
  channel.on('error', () => undefined);
  return {
    depth: async () => (await channel.checkQueue(deps.relayQueue)).messageCount,
    close: () => channel.close().catch(() => undefined),
  };
}
