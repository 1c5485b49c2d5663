import type { Pool } from 'pg';
import type { BrokerConnection } from '../broker/connection';
import { publishWebhook, type RawWebhookMessage } from '../protocol/webhookMessage';
import type { PipelineMetrics } from '../metrics/pipelineMetrics';
import { Batcher } from '../core/batcher';
import { runIsolating } from '../core/isolate';
import { errorMessage, isOutage } from '../core/errors';
import { insertWebhookEvents, markPublished, type NewWebhookEvent, type StoredRef } from '../storage/webhookEvents';

export interface IngestRequest {
  eventType: string;
  bodySha256: string;
  /** The signed `t=` value, in unix seconds. */
  signatureTimestamp: number;
  /** The verified body as text; it parsed as a JSON object. */
  rawBody: string;
}

export interface IngestResult {
  status: 'success' | 'duplicate';
  id: number;
}

export interface IngestDeps {
  pool: Pool;
  broker: BrokerConnection;
  exchange: string;
  metrics: PipelineMetrics;
  log: (message: string) => void;
}

/**
 * Stores a verified webhook and gets it to RabbitMQ. The reply waits for the commit only: the
 * publish follows right after, and whatever it misses (broker down, process killed) the outbox
 * sends later, so a 200 never depends on the broker.
 */
export class IngestService {
  private readonly inserts: Batcher<NewWebhookEvent, StoredRef | Error>;
  private readonly marks: Batcher<number, undefined>;
  private readonly publishing = new Set<Promise<void>>();

  constructor(private readonly deps: IngestDeps) {
    // At a steady 1,000 webhooks/s each arrives alone, and each alone cost an INSERT, a commit
    // and their wake-ups. While they come closer than 2 ms apart, a batch waits up to 2 ms for
    // company. Under load requests already wait when a slot frees, and four start at once; at a
    // quiet moment nothing lingers (lingerWhenBusy).
    this.inserts = new Batcher((events) => this.insertBatch(events), {
      maxBatch: 256,
      maxInFlight: 3,
      lingerMs: 2,
      lingerUntil: 4,
      lingerWhenBusy: true,
    });
    this.marks = new Batcher(
      async (ids) => {
        await markPublished(deps.pool, ids);
        return ids.map(() => undefined);
      },
      // Nobody waits on the mark (the outbox allows it OUTBOX_GRACE_SECONDS): 50 ms of marks share
      // one UPDATE. One per few rows was a tenth of the statements Postgres ran at 1,000 webhooks/s.
      { maxBatch: 1000, maxInFlight: 1, lingerMs: 50 },
    );
  }

  async ingest(request: IngestRequest): Promise<IngestResult> {
    const ref = await this.inserts.add({
      eventType: request.eventType,
      bodySha256: request.bodySha256,
      signatureTimestamp: new Date(request.signatureTimestamp * 1000),
      payloadJson: request.rawBody,
    });
    if (ref instanceof Error) throw ref;
    if (ref.inserted) {
      this.track(
        this.publish({
          id: ref.id,
          receivedAt: ref.receivedAt.toISOString(),
          event: request.eventType,
          bodySha256: request.bodySha256,
          payloadJson: request.rawBody,
        }),
      );
    }
    return { status: ref.inserted ? 'success' : 'duplicate', id: ref.id };
  }

  /** Waits for publishes already started; called on shutdown so none is cut off. */
  async drain(): Promise<void> {
    while (this.publishing.size > 0) await Promise.allSettled([...this.publishing]);
  }

  private async publish(message: RawWebhookMessage): Promise<void> {
    try {
      await publishWebhook(this.deps.broker, this.deps.exchange, message);
      this.deps.metrics.published.inc({ source: 'inline' });
    } catch (error) {
      this.deps.metrics.publishFailures.inc({ source: 'inline' });
      this.deps.log(`publish of webhook ${message.id} deferred to the outbox: ${errorMessage(error)}`);
      return;
    }
    try {
      await this.marks.add(message.id);
    } catch (error) {
      // Published but not marked: the outbox publishes it again, which the relay tolerates.
      this.deps.log(`webhook ${message.id} published but not marked: ${errorMessage(error)}`);
    }
  }

  private track(work: Promise<void>): void {
    this.publishing.add(work);
    void work.finally(() => this.publishing.delete(work));
  }

  /**
   * One statement for the batch. A failure one event is to blame for (a value Postgres refuses)
   * is isolated: its batch-mates are stored and get their 200, it gets its own error.
   */
  private insertBatch(events: NewWebhookEvent[]): Promise<Array<StoredRef | Error>> {
    return runIsolating(events, (part) => insertWebhookEvents(this.deps.pool, part), isOutage);
  }
}
