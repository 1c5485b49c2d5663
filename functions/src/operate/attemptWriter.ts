import { isIP } from 'node:net';
import type { Pool } from 'pg';
import type { OperationsMetrics } from '../metrics/operationsMetrics';
import { errorMessage } from '../core/errors';
import { insertAttempts, type Attempt } from './attemptsSql';

/** What the webhook handler hands over once it has its reply; record() turns it into an Attempt. */
export interface AttemptFacts {
  receivedAt: Date;
  outcome: string;
  status: number;
  /** The body's size and sha256 (hex), when it was read (a 413 is answered without it). */
  bodyBytes?: number;
  bodySha256?: string;
  /** The Content-Length the client declared, for a body that was not read. */
  declaredBytes?: string | null;
  /** The verified signature's `t=` (unix seconds). */
  signatureTimestamp?: number;
  webhookId?: number | null;
  forwardedFor?: string | null;
}

export interface AttemptWriterOptions {
  pool: Pool;
  metrics: OperationsMetrics;
  log: (message: string) => void;
  /** Records waiting at most; past it new ones are dropped and counted. */
  maxQueued?: number;
  maxBatch?: number;
  /** How long a write waits for more records after the first, in ms (default 0: the next turn of the event loop). */
  lingerMs?: number;
}

const MAX_ADDRESSES = 4;

/** The valid addresses of an X-Forwarded-For chain (the last one connected), anything else dropped. */
export function sourceAddressOf(forwardedFor: string | null | undefined): string | null {
  if (!forwardedFor) return null;
  const addresses = forwardedFor
    .split(',')
    .map((part) => part.trim())
    .filter((part) => isIP(part) !== 0);
  return addresses.length === 0 ? null : addresses.slice(-MAX_ADDRESSES).join(', ');
}

export function attemptOf(facts: AttemptFacts): Attempt {
  const declared = Number(facts.declaredBytes ?? NaN);
  return {
    receivedAt: facts.receivedAt,
    outcome: facts.outcome,
    status: facts.status,
    bodyBytes:
      facts.bodyBytes ?? (Number.isSafeInteger(declared) && declared >= 0 && declared <= 2 ** 31 - 1 ? declared : 0),
    bodySha256: facts.bodySha256 ?? null,
    signatureTimestamp: facts.signatureTimestamp === undefined ? null : new Date(facts.signatureTimestamp * 1000),
    webhookId: facts.webhookId ?? null,
    sourceAddress: sourceAddressOf(facts.forwardedFor),
  };
}

/**
 * The delivery log's writer, off the webhook's hot path: record() only queues; one write at a time
 * takes everything queued so far in one statement. The queue is bounded, so a database slower
 * than the traffic costs log records (counted in webhook_attempts_dropped_total), never memory
 * or a webhook's latency.
 */
export class AttemptWriter {
  private queue: Attempt[] = [];
  private writing: Promise<void> | undefined;
  private failing = false;
  private readonly maxQueued: number;
  private readonly maxBatch: number;

  constructor(private readonly options: AttemptWriterOptions) {
    this.maxQueued = options.maxQueued ?? 10_000;
    this.maxBatch = options.maxBatch ?? 1_000;
  }

  record(facts: AttemptFacts): void {
    this.options.metrics.attempts.inc({ outcome: facts.outcome });
    if (this.queue.length >= this.maxQueued) {
      this.options.metrics.attemptsDropped.inc();
      return;
    }
    this.queue.push(attemptOf(facts));
    // Started on the next turn (or after the linger), so the requests of one burst share a statement.
    const linger = this.options.lingerMs ?? 0;
    this.writing ??= new Promise<void>((resolve) =>
      linger > 0 ? setTimeout(resolve, linger) : setImmediate(resolve),
    ).then(() => this.writeAll());
  }

  /** Resolves when everything recorded so far is written (or dropped); called on shutdown. */
  async close(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async writeAll(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await insertAttempts(this.options.pool, batch);
          this.failing = false;
        } catch (error) {
          this.options.metrics.attemptsDropped.inc(batch.length);
          // Once per outage, not once per batch.
          if (!this.failing) this.options.log(`delivery log: dropped ${batch.length} records: ${errorMessage(error)}`);
          this.failing = true;
        }
      }
    } finally {
      this.writing = undefined;
    }
  }
}
