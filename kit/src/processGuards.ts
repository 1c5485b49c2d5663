import { errorMessage } from '../../functions/src';

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
