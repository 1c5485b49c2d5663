import { errorMessage } from '../../functions/src';

// What runMain installs on the process: unhandled rejections logged, not fatal; SIGINT/SIGTERM a graceful stop.

/**
 * A promise someone forgot to await must not end a server that is serving others: Node's
 * default for an unhandled rejection is to crash. It is logged (it is a bug) and the process
 * goes on. A synchronous uncaught exception still ends the process: its state is unknown.
 */
export function keepRunningOnUnhandledRejections(log: (message: string) => void): void {
  process.on('unhandledRejection', (reason: unknown) => {
    log(`unhandled promise rejection (kept running): ${errorMessage(reason)}`);
  });
}

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
