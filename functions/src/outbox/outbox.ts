import type { Pool } from 'pg';
import type { BrokerConnection } from '../broker/connection';
import { publishWebhook } from '../protocol/webhookMessage';
import type { PipelineMetrics } from '../metrics/pipelineMetrics';
import { claimUnpublished } from '../storage/webhookEvents';

export interface OutboxDeps {
  pool: Pool;
  broker: BrokerConnection;
  exchange: string;
  metrics: PipelineMetrics;
  graceSeconds: number;
  batchSize?: number;
  /** Stop after this long even if a backlog remains; the next tick goes on. */
  maxMillis?: number;
  now?: () => number;
}

export interface OutboxResult {
  published: number;
  failed: number;
  skipped: boolean;
}

/**
 * Publishes rows that the request path did not (broker down, process killed after commit).
 * Rows stay locked while they are published, so several hosts can run this at once without
 * publishing a row twice.
 */
export async function runOutbox(deps: OutboxDeps): Promise<OutboxResult> {
  const result: OutboxResult = { published: 0, failed: 0, skipped: false };
  if (!deps.broker.connected) return { ...result, skipped: true };
  const now = deps.now ?? Date.now;
  const deadline = now() + (deps.maxMillis ?? 20_000);
  const batchSize = deps.batchSize ?? 500;
  for (;;) {
    const client = await deps.pool.connect();
    let claimed = 0;
    try {
      await client.query('BEGIN');
      const rows = await claimUnpublished(client, batchSize, deps.graceSeconds);
      claimed = rows.length;
      const outcomes = await Promise.allSettled(
        rows.map((row) =>
          publishWebhook(deps.broker, deps.exchange, {
            id: row.id,
            receivedAt: row.received_at.toISOString(),
            event: row.event_type,
            bodySha256: row.body_sha256,
            payload: row.payload,
          }).then(() => row.id),
        ),
      );
      const done = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      if (done.length > 0)
        await client.query('UPDATE webhook_event SET published_at = now() WHERE id = ANY($1)', [done]);
      await client.query('COMMIT');
      result.published += done.length;
      result.failed += rows.length - done.length;
      deps.metrics.published.inc({ source: 'outbox' }, done.length);
      if (rows.length > done.length) deps.metrics.publishFailures.inc({ source: 'outbox' }, rows.length - done.length);
      if (done.length < rows.length) break;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    if (claimed < batchSize || now() > deadline) break;
  }
  return result;
}
