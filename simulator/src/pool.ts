export interface Job<T> {
  index: number;
  /** Index of an earlier job that must have finished before this one starts. */
  dependsOn?: number;
  payload: T;
}

export interface PoolOptions<T> {
  concurrency: number;
  /** The next job, or null when there are no more (count reached, time up). Called in order. */
  nextJob(): Job<T> | null;
  perform(job: Job<T>): Promise<void>;
  /** Waits for the job's turn (rate limiting); called before each job is taken. */
  waitTurn?(): Promise<void>;
  /** Checked before each job: true ends the run early (e.g. the URL is unreachable). */
  stopped?(): boolean;
}

/**
 * Runs jobs with at most `concurrency` in flight. Jobs are taken in index order, so a job's
 * dependency has always been started by then and waiting on it cannot deadlock.
 */
export async function runPool<T>(options: PoolOptions<T>): Promise<void> {
  // Only unfinished jobs are kept: a dependency missing from the map has already finished.
  const running = new Map<number, Promise<void>>();
  const worker = async (): Promise<void> => {
    for (;;) {
      if (options.stopped?.()) return;
      if (options.waitTurn) await options.waitTurn();
      if (options.stopped?.()) return;
      const job = options.nextJob();
      if (job === null) return;
      const dependency = job.dependsOn === undefined ? undefined : running.get(job.dependsOn);
      const done = (async () => {
        if (dependency) await dependency;
        await options.perform(job);
      })();
      running.set(
        job.index,
        done.catch(() => undefined),
      );
      try {
        await done;
      } finally {
        running.delete(job.index);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
}
