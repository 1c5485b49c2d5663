import { performance } from 'node:perf_hooks';

export interface BatcherOptions {
  /** Largest number of items handed to one run. */
  maxBatch: number;
  /** Runs allowed at once; items arriving meanwhile wait and form the next batch. */
  maxInFlight: number;
  /**
   * How long a batch waits for more items after its first, in ms (default 0: none). For work no
   * sender's reply waits on (marking rows published, the relay's write): there a statement per few
   * items costs the database more than the items do.
   */
  lingerMs?: number;
  /**
   * A lingering batch starts as soon as this many items wait (default: maxBatch). Under load items
   * are already waiting when a run slot frees, so a batch that has company does not wait for more.
   */
  lingerUntil?: number;
  /**
   * Linger only while items keep coming less than lingerMs apart (a moving average of the gaps
   * between add() calls): at a quiet moment a lone item, which no company would join, runs at once.
   */
  lingerWhenBusy?: boolean;
  /** The clock lingerWhenBusy reads, in ms (default: performance.now). */
  now?: () => number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Groups concurrent calls into one run (one statement, one commit). `run` returns one result
 * per item, in order. Unless told to linger, nothing waits on a timer: a batch starts as soon as a
 * run slot is free, so a lone request pays no added latency and a burst shares commits.
 */
export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;
  /** The linger's timer while a batch waits for company. */
  private lingering: ReturnType<typeof setTimeout> | undefined;
  /** For lingerWhenBusy: when the last item came, and the moving average of the gaps between items. */
  private lastArrival: number | undefined;
  private meanGap = Infinity;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions,
  ) {}

  add(item: I): Promise<O> {
    if (this.options.lingerWhenBusy) this.noteArrival();
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  private schedule(): void {
    if (this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    // A full batch (or one with company enough) has nothing to wait for, even when it filled up
    // while lingering.
    const full = this.queue.length >= Math.min(this.options.maxBatch, this.options.lingerUntil ?? Infinity);
    if (this.scheduled) {
      if (full && this.lingering) {
        clearTimeout(this.lingering);
        this.lingering = undefined;
        setImmediate(() => this.start());
      }
      return;
    }
    this.scheduled = true;
    const lingerMs = this.options.lingerMs ?? 0;
    // meanGap is Infinity until a gap was seen: quiet.
    const quiet = this.options.lingerWhenBusy === true && this.meanGap >= lingerMs;
    const linger = full || quiet ? 0 : lingerMs;
    // setImmediate lets every request already parsed in this turn of the event loop join the batch.
    if (linger > 0) this.lingering = setTimeout(() => this.start(), linger);
    else setImmediate(() => this.start());
  }

  private noteArrival(): void {
    const at = this.options.now ? this.options.now() : performance.now();
    if (this.lastArrival !== undefined) {
      const gap = at - this.lastArrival;
      // One long gap is enough to call it quiet; a steady run of short ones to call it busy.
      this.meanGap = this.meanGap === Infinity ? gap : this.meanGap + (gap - this.meanGap) * 0.2;
    }
    this.lastArrival = at;
  }

  private start(): void {
    this.lingering = undefined;
    this.scheduled = false;
    this.flush();
  }

  private flush(): void {
    if (this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.inFlight += 1;
    this.run(batch.map((p) => p.item))
      .then(
        (results) => {
          if (results.length !== batch.length)
            throw new Error(`Batch returned ${results.length} results for ${batch.length} items`);
          batch.forEach((p, i) => p.resolve(results[i]));
        },
        (error: unknown) => batch.forEach((p) => p.reject(error)),
      )
      .catch((error: unknown) => batch.forEach((p) => p.reject(error)))
      .finally(() => {
        this.inFlight -= 1;
        this.schedule();
      });
    this.schedule();
  }
}
