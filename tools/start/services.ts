import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The Postgres and RabbitMQ URLs a running `npm start` uses, kept in .data/services.json (mode
 * 0600: the URLs hold passwords) while it runs, so that `npm run ops` finds the same database.
 */
export interface RecordedServices {
  databaseUrl: string;
  rabbitmqUrl: string;
  /** The npm start process that wrote it. */
  pid: number;
}

export const SERVICES_FILE = 'services.json';

export function recordServices(dataDir: string, services: RecordedServices): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(dataDir, SERVICES_FILE), `${JSON.stringify(services, null, 2)}\n`, { mode: 0o600 });
}

export function forgetServices(dataDir: string): void {
  rmSync(path.join(dataDir, SERVICES_FILE), { force: true });
}

/** What npm start recorded, or undefined when it is not running (no file, or a file of a process gone). */
export function readServices(dataDir: string): RecordedServices | undefined {
  const file = path.join(dataDir, SERVICES_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RecordedServices>;
  if (
    typeof parsed.databaseUrl !== 'string' ||
    typeof parsed.rabbitmqUrl !== 'string' ||
    typeof parsed.pid !== 'number'
  )
    return undefined;
  try {
    process.kill(parsed.pid, 0);
  } catch {
    return undefined;
  }
  return parsed as RecordedServices;
}
