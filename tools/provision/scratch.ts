import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Log } from './log';

/** A folder for the data of services started here, and how to stop them. */
export interface Scratch {
  dataDir: string;
  /** Registers the stop of a service started in dataDir. */
  onStop(stop: () => Promise<void>): void;
  /** Stops what was registered, last started first (a failure is logged, the rest still stop), then removes dataDir. */
  stop(): Promise<void>;
}

/**
 * A fresh temporary folder named `petzi-<name>-services-*`, owned by us and readable by the
 * postgres and rabbitmq users when we run as root (mkdtemp alone makes it 0700).
 */
export function scratchServices(name: string, log: Log): Scratch {
  const dataDir = mkdtempSync(path.join(tmpdir(), `petzi-${name}-services-`));
  chmodSync(dataDir, 0o755);
  const stops: Array<() => Promise<void>> = [];
  return {
    dataDir,
    onStop: (stop) => void stops.push(stop),
    stop: async () => {
      for (const each of stops.reverse()) await each().catch((error: unknown) => log(`stopping a ${name} service failed: ${String(error)}`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
