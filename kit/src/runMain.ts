import { ConfigError, errorMessage, readEnv, type Env } from '../../functions/src';
import { PortInUseError } from './listen';
import { keepRunningOnUnhandledRejections, stopOnSignal } from './processGuards';

/** sysexits' EX_USAGE: the command line was wrong, as the simulator says too. */
export const EXIT_USAGE = 64;

export interface Running {
  stop(): Promise<void>;
}

export interface MainSpec {
  /** What the messages call it: "functions host", "SSE bridge", "dashboard server". */
  name: string;
  /** Printed for --help, and after a usage error. */
  help: string;
  /**
   * Reads the environment (secret files already read in), starts, prints its banner; rejects with ConfigError on a bad
   * setting.
   */
  start(env: Env): Promise<Running>;
  /** Said on SIGINT/SIGTERM, after the signal's name. */
  stopping: string;
  /** Said once stopped. */
  stopped: string;
  /** Past this after a signal, exit 1 without waiting further. */
  graceMs: number;
  /** Where unhandled rejections are logged (default console.error). */
  logError?: (message: string) => void;
}

/** What runMain touches of the process; tests pass their own. */
export interface MainProcess {
  argv: string[];
  env: Env;
  out(text: string): void;
  err(text: string): void;
  exit(code: number): void;
  /** Installs the signal handlers: `stop` once on SIGINT/SIGTERM, then exit. */
  guard(spec: MainSpec, stop: () => Promise<void>): void;
  keepRunning(log: (message: string) => void): void;
}

const realProcess = (): MainProcess => ({
  argv: process.argv.slice(2),
  env: process.env,
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  exit: (code) => process.exit(code),
  guard: (spec, stop) => stopOnSignal(stop, spec),
  keepRunning: keepRunningOnUnhandledRejections,
});

/** The one line a failed start prints; the exit code is 1. */
export function startFailure(name: string, error: unknown): string {
  if (error instanceof PortInUseError) return `${error.message}: set PORT to move the ${name}.`;
  if (error instanceof ConfigError) return `Configuration error: ${error.message}`;
  return `${name} failed to start: ${errorMessage(error)}`;
}

/**
 * The `main` of every long-running process (host, bridge, dashboard server): --help, a usage
 * error (exit 64) for any argument (they are configured by environment only), the guard against
 * unhandled rejections, the start, and a graceful stop on SIGINT/SIGTERM. A failed start prints
 * one line saying what to do and exits 1. Resolves once started or refused.
 *
 * The signal handlers go in before the start: a supervisor that sends SIGTERM as soon as the
 * banner appears (or during start-up) gets a graceful stop, never the default instant death.
 */
export async function runMain(spec: MainSpec, proc: MainProcess = realProcess()): Promise<void> {
  if (proc.argv.includes('--help') || proc.argv.includes('-h')) {
    proc.out(spec.help);
    return;
  }
  if (proc.argv.length > 0) {
    proc.err(
      `unknown argument "${proc.argv[0]}" (the ${spec.name} is configured by environment; see --help)\n\n${spec.help}`,
    );
    proc.exit(EXIT_USAGE);
    return;
  }
  proc.keepRunning(spec.logError ?? ((message) => console.error(message)));
  // Secrets given as files (NAME_FILE) are read here, once, for every process; a refusal is a ConfigError like any.
  const started = (async () => spec.start(readEnv.withSecretFiles(proc.env)))();
  proc.guard(spec, async () => (await started).stop());
  try {
    await started;
  } catch (error: unknown) {
    proc.err(startFailure(spec.name, error));
    proc.exit(1);
  }
}
