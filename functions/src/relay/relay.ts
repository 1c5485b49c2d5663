import type { Pool } from 'pg';
import type { BrokerConnection } from '../broker/connection';
import type { WebhookMessage } from '../protocol/webhookMessage';
import type { PipelineMetrics } from '../metrics/pipelineMetrics';
import { checkPayload } from '../protocol/schema';
import { PoisonMessageError } from '../protocol/webhookMessage';
import { LIVE_BATCH_CONTENT_TYPE, LIVE_BATCH_TYPE, encodeLiveBatch, type EncodedLiveEvent } from '../protocol/liveEvent';
import { relayInputOf } from './project';
import { Batcher } from '../core/batcher';
import { isOutage } from '../core/errors';
import { runIsolating } from '../core/isolate';
import { rebuildTicketProjection, relayBatch, type RelayedRow, type RelayInput } from './projection';

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

interface Stored {
  event: EncodedLiveEvent;
  fresh: boolean;
  /** Settles with the broker's confirm of the batch's publish to the live exchange. */
  published: Promise<void>;
}

/**
 * Applies webhook messages to the ticket projection and forwards them to `petzi.live`.
 * Idempotent: a redelivered message finds its live_event row, changes nothing and is
 * re-published with the same seq, which the bridge drops if it already sent it. Concurrent
 * invocations share one transaction.
 */
export class RelayService {
  private readonly batches: Batcher<Prepared, Stored | Error>;

  constructor(private readonly deps: RelayDeps) {
    this.batches = new Batcher(
      // A message the database refuses fails alone: its batch-mates are relayed once, and only it
      // is retried by the trigger and, in the end, dead-lettered. A batch waits 5 ms for company:
      // relay_batch costs about 0.8 ms of Postgres CPU per call whatever its size, and without the
      // wait batches stayed small exactly when the relay kept up (bench:e2e, same run: Postgres
      // 531 -> 482 us per webhook at 1,000/s, the pipeline -14% at 200/s; p99 unchanged).
      (items) => runIsolating(items, (part) => this.store(part), isOutage),
      { maxBatch: 200, maxInFlight: 1, lingerMs: 5 },
    );
  }

  async relay(message: WebhookMessage): Promise<EncodedLiveEvent> {
    const check = checkPayload(message.payload as Record<string, unknown>);
    if (check.kind !== 'ticket') {
      throw new PoisonMessageError(`cannot relay a ${check.kind} event "${message.event}"`);
    }
    const prepared: Prepared = { message, ...relayInputOf(message.id, message.receivedAt, check.event, check.payload) };
    const stored = await this.batches.add(prepared);
    if (stored instanceof Error) throw stored;
    const { event, fresh, published } = stored;
    await published;
    this.deps.metrics.relayed.inc({ outcome: fresh ? 'relayed' : 'redelivered' });
    return event;
  }

  /**
   * Stores the batch, then publishes its live events as one message, in seq order (encodeLiveBatch):
   * one publish, one confirm and one delivery per bridge for the batch. In seq order because the
   * bridge takes a jump in seq for a gap and fills it from Postgres, which held up its stream for a
   * round trip each time events went out in arrival order. The confirm is awaited by each
   * message's invocation, so the next batch need not wait for it.
   */
  private async store(items: Prepared[]): Promise<Stored[]> {
    const relayed = await relayBatch(
      this.deps.pool,
      items.map((i) => ({ live: i.live, buyerRole: i.buyerRole })),
      new Date(this.deps.now()),
    );
    const published = this.publishLive([...relayed.values()].map((r) => r.event).sort((a, b) => a.seq - b.seq));
    // Awaited by the invocations below; this only keeps a failure that none awaits from being unhandled.
    published.catch(() => undefined);
    const counted = new Set<number>();
    return items.map((i) => {
      const found = relayed.get(i.message.id);
      if (!found) throw new Error(`relay_batch returned nothing for webhook ${i.message.id}`);
      // The same webhook twice in one batch: only the first copy counts as freshly relayed.
      const fresh = found.fresh && !counted.has(i.message.id);
      counted.add(i.message.id);
      return { event: found.event, fresh, published };
    });
  }

  private publishLive(events: EncodedLiveEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const { content, headers } = encodeLiveBatch(events);
    return this.deps.broker.publish(this.deps.liveExchange, '', content, {
      persistent: true,
      contentType: LIVE_BATCH_CONTENT_TYPE,
      type: LIVE_BATCH_TYPE,
      headers,
    });
  }
}

/** Rebuilds the ticket projection from every relayed webhook, by the relay's own rule (ticket_apply). */
export function rebuildTickets(pool: Pool): Promise<number> {
  return rebuildTicketProjection(pool, (row: RelayedRow) => {
    const check = checkPayload(row.payload as Record<string, unknown>);
    return check.kind === 'ticket' ? relayInputOf(Number(row.id), row.received_at.toISOString(), check.event, check.payload) : null;
  });
}
