import { errorMessage } from '../../functions/src';

export interface StopOnSignalOptions {
  /** Said when the signal arrives, after the signal's name. */
  stopping: string;
  /** Said once stopped. */
  stopped: string;
  /** Past this, exit 1 without waiting further. */
  graceMs: number;
}

/**
 * SIGINT/SIGTERM: run `stop` once (a second signal is ignored), exit 0 when it resolves, 1 when
 * it fails or takes longer than graceMs.
 */
export function stopOnSignal(stop: () => Promise<void>, options: StopOnSignalOptions): void {
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    console.log(`${signal}: ${options.stopping}`);
    const force = setTimeout(() => {
      console.error(`graceful shutdown took over ${options.graceMs / 1000} s, exiting`);
      process.exit(1);
    }, options.graceMs);
    force.unref();
    stop().then(
      () => {
        console.log(options.stopped);
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`shutdown failed: ${errorMessage(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
