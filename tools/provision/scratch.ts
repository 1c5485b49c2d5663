import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Log } from './log';
import { ensureDataDir } from './privateDir';

/** A folder for the data of services started here, and how to stop them. */
export interface Scratch {
  dataDir: string;
  /** Registers the stop of a service started in dataDir. */
  onStop(stop: () => Promise<void>): void;
  /** Stops what was registered, last started first (a failure is logged, the rest still stop), then removes dataDir. */
  stop(): Promise<void>;
}

/**
 * A fresh temporary folder named `petzi-<name>-services-*`, owned by us: 0700, or 0711 as root,
 * where the postgres and rabbitmq users must pass through it to their own folders.
 */
export function scratchServices(name: string, log: Log): Scratch {
  const dataDir = mkdtempSync(path.join(tmpdir(), `petzi-${name}-services-`));
  ensureDataDir(dataDir);
  const stops: Array<() => Promise<void>> = [];
  return {
    dataDir,
    onStop: (stop) => void stops.push(stop),
    stop: async () => {
      for (const each of stops.reverse())
        await each().catch((error: unknown) => log(`stopping a ${name} service failed: ${String(error)}`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
