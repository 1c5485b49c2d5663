import type { Pool } from 'pg';
import type { BrokerConnection } from '../broker/connection';
import type { WebhookMessage } from '../protocol/webhookMessage';
import type { PipelineMetrics } from '../metrics/pipelineMetrics';
import { isKnownEvent } from '../protocol/schema';
import { PoisonMessageError } from '../protocol/webhookMessage';
import {
  LIVE_BATCH_CONTENT_TYPE,
  LIVE_BATCH_TYPE,
  encodeLiveBatch,
  type EncodedLiveEvent,
} from '../protocol/liveEvent';
import { Batcher } from '../core/batcher';
import { isOutage } from '../core/errors';
import { runIsolating } from '../core/isolate';
import { rebuildTicketProjection, refusalKey, relayBatch, type RelayClaim, type RefusalReason } from './projection';

export interface RelayDeps {
  pool: Pool;
  broker: BrokerConnection;
  liveExchange: string;
  metrics: PipelineMetrics;
  now: () => number;
}

/** Why a message was not relayed and was dead-lettered at once: no stored webhook backs it. */
export type UnverifiedReason = Exclude<RefusalReason, 'not_a_ticket'>;

/**
 * What became of a message: relayed (its live event), or refused as unverified (dead-lettered by relay_batch,
 * acknowledged).
 */
export type RelayOutcome = { relayed: true; event: EncodedLiveEvent } | { relayed: false; reason: UnverifiedReason };

type Stored = { event: EncodedLiveEvent; fresh: boolean; published: Promise<void> } | { refused: RefusalReason };

/**
 * Applies webhook messages to the ticket projection and forwards them to `petzi.live`. A message
 * counts only as "relay the stored webhook with this id and this body hash": the payload projected
 * is the stored one, and a message no stored webhook backs is refused (see relay_batch.sql).
 * Idempotent: a redelivered message finds its live_event row, changes nothing and is re-published
 * with the same seq, which the bridge drops if it already sent it. Concurrent invocations share one
 * transaction.
 */
export class RelayService {
  private readonly batches: Batcher<RelayClaim, Stored | Error>;

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

  async relay(message: WebhookMessage): Promise<RelayOutcome> {
    // An event this version cannot project fails before any round trip, as no retry can help it.
    if (!isKnownEvent(message.event)) throw new PoisonMessageError(`cannot relay a "${message.event}" event`);
    const stored = await this.batches.add({ id: message.id, bodySha256: message.bodySha256 });
    if (stored instanceof Error) throw stored;
    if ('refused' in stored) {
      if (stored.refused === 'not_a_ticket')
        throw new PoisonMessageError(`webhook ${message.id} is stored as no ticket event`);
      this.deps.metrics.unverified.inc({ reason: stored.refused });
      this.deps.metrics.relayed.inc({ outcome: 'unverified' });
      return { relayed: false, reason: stored.refused };
    }
    const { event, fresh, published } = stored;
    await published;
    this.deps.metrics.relayed.inc({ outcome: fresh ? 'relayed' : 'redelivered' });
    return { relayed: true, event };
  }

  /**
   * Stores the batch, then publishes its live events as one message, in seq order (encodeLiveBatch):
   * one publish, one confirm and one delivery per bridge for the batch. In seq order because the
   * bridge takes a jump in seq for a gap and fills it from Postgres, which held up its stream for a
   * round trip each time events went out in arrival order. The confirm is awaited by each
   * message's invocation, so the next batch need not wait for it.
   */
  private async store(items: RelayClaim[]): Promise<Stored[]> {
    const { relayed, refused } = await relayBatch(this.deps.pool, items, new Date(this.deps.now()));
    const published = this.publishLive([...relayed.values()].map((r) => r.event).sort((a, b) => a.seq - b.seq));
    // Awaited by the invocations below; this only keeps a failure that none awaits from being unhandled.
    published.catch(() => undefined);
    const counted = new Set<number>();
    return items.map((claim) => {
      const why = refused.get(refusalKey(claim));
      if (why) return { refused: why };
      const found = relayed.get(claim.id);
      if (!found) throw new Error(`relay_batch returned nothing for webhook ${claim.id}`);
      // The same webhook twice in one batch: only the first copy counts as freshly relayed.
      const fresh = found.fresh && !counted.has(claim.id);
      counted.add(claim.id);
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
  return rebuildTicketProjection(pool);
}
