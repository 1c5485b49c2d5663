import type { Pool } from 'pg';
import type { BrokerConnection } from '../broker/connection';
import type { WebhookMessage } from '../broker/webhookMessage';
import type { PipelineMetrics } from '../metrics/pipelineMetrics';
import { checkPayload } from '../protocol/schema';
import { PoisonMessageError } from '../relay/decode';
import type { LiveEvent } from '../relay/liveEvent';
import { liveTicketOf } from '../relay/project';
import { Batcher } from '../storage/batcher';
import { classifyDbError } from '../storage/errors';
import { existingLiveEvents, insertLiveEvents, lockLiveEvents, nextLiveSeqs, upsertTickets } from '../storage/projection';

export interface RelayDeps {
  pool: Pool;
  broker: BrokerConnection;
  liveExchange: string;
  metrics: PipelineMetrics;
  now: () => number;
}

interface Prepared {
  message: WebhookMessage;
  live: Omit<LiveEvent, 'seq' | 'relayedAt'>;
  buyerRole: string | null;
}

/**
 * Applies webhook messages to the ticket projection and forwards them to `petzi.live`.
 * Idempotent: a redelivered message finds its live_event row, changes nothing and is
 * re-published with the same seq, which the bridge drops if it already sent it. Concurrent
 * invocations share one transaction.
 */
export class RelayService {
  private readonly batches: Batcher<Prepared, { event: LiveEvent; fresh: boolean }>;

  constructor(private readonly deps: RelayDeps) {
    this.batches = new Batcher((items) => this.store(items), { maxBatch: 200, maxInFlight: 1 });
  }

  async relay(message: WebhookMessage): Promise<LiveEvent> {
    const check = checkPayload(message.payload as Record<string, unknown>);
    if (check.kind !== 'ticket') {
      this.deps.metrics.relayed.inc({ outcome: 'rejected' });
      throw new PoisonMessageError(`cannot relay a ${check.kind} event "${message.event}"`);
    }
    const prepared: Prepared = {
      message,
      live: { id: message.id, receivedAt: message.receivedAt, event: check.event, ticket: liveTicketOf(check.payload) },
      buyerRole: check.payload.details.buyer.role,
    };
    const { event, fresh } = await this.batches.add(prepared);
    await this.deps.broker.publish(this.deps.liveExchange, '', Buffer.from(JSON.stringify(event)), {
      persistent: true,
      contentType: 'application/json',
      messageId: String(event.id),
      type: 'ticket',
    });
    this.deps.metrics.relayed.inc({ outcome: fresh ? 'relayed' : 'redelivered' });
    return event;
  }

  private async store(items: Prepared[]): Promise<Array<{ event: LiveEvent; fresh: boolean }>> {
    const client = await this.deps.pool.connect().catch((error: unknown) => {
      throw classifyDbError(error);
    });
    try {
      await client.query('BEGIN');
      await lockLiveEvents(client);
      const ids = [...new Set(items.map((i) => i.message.id))];
      const existing = await existingLiveEvents(client, ids);
      const fresh = [...new Map(items.filter((i) => !existing.has(i.message.id)).map((i) => [i.message.id, i])).values()].sort(
        (a, b) => a.message.id - b.message.id,
      );
      await upsertTickets(
        client,
        fresh.map((i) => ({ webhookId: i.message.id, receivedAt: i.message.receivedAt, ticket: i.live.ticket, buyerRole: i.buyerRole })),
      );
      const seqs = await nextLiveSeqs(client, fresh.length);
      const relayedAt = new Date(this.deps.now()).toISOString();
      const created = fresh.map((i, n): LiveEvent => ({ ...i.live, seq: seqs[n], relayedAt }));
      await insertLiveEvents(client, created);
      await client.query('COMMIT');
      const byId = new Map<number, LiveEvent>([...existing, ...created.map((e) => [e.id, e] as const)]);
      const firstFresh = new Set(created.map((e) => e.id));
      return items.map((i) => {
        const event = byId.get(i.message.id)!;
        const isFresh = firstFresh.delete(i.message.id);
        return { event, fresh: isFresh };
      });
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw classifyDbError(error);
    } finally {
      client.release();
    }
  }
}
