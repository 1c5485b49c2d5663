/** Anything ordered by the relay's live_event.seq. */
export interface Sequenced {
  seq: number;
}

export interface SequencerSource<E extends Sequenced> {
  /** Highest committed seq, 0 when there is none. */
  maxSeq(): Promise<number>;
  /**
   * Committed events with afterSeq < seq < beforeSeq (no upper bound when beforeSeq is undefined), in seq order, at
   * most `limit`.
   */
  fetchBetween(afterSeq: number, beforeSeq: number | undefined, limit: number): Promise<E[]>;
}

export interface SequencerOptions<E extends Sequenced> {
  source: SequencerSource<E>;
  deliver(event: E): void;
  /** A fetch failed: the caller should call resync() later, or the next event will fill the gap. */
  onError?(error: unknown): void;
  pageSize?: number;
}

/**
 * Turns the broker's at-least-once, possibly reordered stream into exactly-once, in-order
 * delivery. The relay commits seq N before publishing it and takes seqs under a lock, so once
 * N is seen every seq below N is committed: a jump past lastSeq + 1 is filled from Postgres, and
 * anything at or below lastSeq is a repeat. Work runs one task at a time so fills never interleave.
 */
export class Sequencer<E extends Sequenced> {
  private last: number | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly pageSize: number;

  constructor(private readonly options: SequencerOptions<E>) {
    this.pageSize = options.pageSize ?? 500;
  }

  /** Undefined until the first resync has read the starting point. */
  get lastSeq(): number | undefined {
    return this.last;
  }

  receive(event: E): Promise<void> {
    return this.enqueue(() => this.handle(event));
  }

  /**
   * First call: start after the newest committed event. Later calls (after a reconnect): deliver everything committed
   * since lastSeq.
   */
  resync(): Promise<void> {
    return this.enqueue(async () => {
      if (this.last === undefined) {
        this.last = await this.options.source.maxSeq();
        return;
      }
      await this.deliverCommitted(undefined);
    });
  }

  /** Resolves when every task queued so far has finished. */
  idle(): Promise<void> {
    return this.chain;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task).catch((error: unknown) => this.options.onError?.(error));
    this.chain = run;
    return run;
  }

  private async handle(event: E): Promise<void> {
    if (this.last === undefined) {
      // Not started yet (no resync ran): nothing to compare with, so take this event as the start.
      this.last = event.seq;
      this.options.deliver(event);
      return;
    }
    if (event.seq <= this.last) return;
    if (event.seq > this.last + 1) await this.deliverCommitted(event.seq);
    this.last = event.seq;
    this.options.deliver(event);
  }

  /** Delivers committed events after lastSeq and below beforeSeq, page by page, advancing lastSeq as it goes. */
  private async deliverCommitted(beforeSeq: number | undefined): Promise<void> {
    for (;;) {
      const after = this.last ?? 0;
      const page = await this.options.source.fetchBetween(after, beforeSeq, this.pageSize);
      for (const event of page) {
        if (event.seq <= (this.last ?? 0)) continue;
        this.last = event.seq;
        this.options.deliver(event);
      }
      if (page.length < this.pageSize) return;
    }
  }
}
