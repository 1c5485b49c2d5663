import type { Pool } from 'pg';
import type { BrokerConnection } from '../broker/connection';
import type { WebhookMessage } from '../broker/webhookMessage';
import type { PipelineMetrics } from '../metrics/pipelineMetrics';
import { checkPayload } from '../protocol/schema';
import { PoisonMessageError } from '../relay/decode';
import type { LiveEvent } from '../relay/liveEvent';
import { liveTicketOf } from '../relay/project';
import { Batcher } from '../storage/batcher';
import { relayBatch, type RelayInput } from '../storage/projection';

export interface RelayDeps {
  pool: Pool;
  broker: BrokerConnection;
  liveExchange: string;
  metrics: PipelineMetrics;
  now: () => number;
}

interface Prepared extends RelayInput {
  message: WebhookMessage;
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
    const relayed = await relayBatch(
      this.deps.pool,
      items.map((i) => ({ live: i.live, buyerRole: i.buyerRole })),
      new Date(this.deps.now()),
    );
    const counted = new Set<number>();
    return items.map((i) => {
      const found = relayed.get(i.message.id);
      if (!found) throw new Error(`relay_batch returned nothing for webhook ${i.message.id}`);
      // The same webhook twice in one batch: only the first copy counts as freshly relayed.
      const fresh = found.fresh && !counted.has(i.message.id);
      counted.add(i.message.id);
      return { event: found.event, fresh };
    });
  }
}
