import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';

/**
 * Who may read what on disk. The embedded services keep personal data (Postgres the stored
 * webhooks, RabbitMQ's message store the raw payloads with buyers' names), so their folders are
 * 0700 and owned by the user that runs the service, with nothing inside readable by anyone else.
 * As root the services run as their own users (`postgres`, `rabbitmq`); otherwise as the caller.
 */

export function runningAsRoot(): boolean {
  return userInfo().uid === 0;
}

/**
 * The mode of a folder that holds the services' folders, the credentials and the install logs:
 * 0700, or 0711 as root, where the service users must pass through it to reach their own folder
 * (they still cannot list it, and every file in it is 0600).
 */
export function parentMode(): number {
  return runningAsRoot() ? 0o711 : 0o700;
}

/** Creates the data folder when missing and sets its mode (parentMode). */
export function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: parentMode() });
  chmodSync(dir, parentMode());
}

/** Takes group and other permissions off everything below dir (symbolic links are left alone). */
function closeTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    const mode = lstatSync(full).mode & 0o7777;
    if ((mode & 0o077) !== 0) chmodSync(full, mode & ~0o077);
    if (entry.isDirectory()) closeTree(full);
  }
}

/**
 * A service's data folder: created when missing, 0700, nothing inside open to group or others,
 * and, as root, owned (with everything inside) by `serviceUser` when that user exists.
 * Returns false as root when the user does not exist yet (the caller may create it, then call again).
 */
export function securePrivateDir(dir: string, serviceUser: string): boolean {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  closeTree(dir);
  if (!runningAsRoot()) return true;
  try {
    // `user:` is the user with its login group.
    execFileSync('chown', ['-R', `${serviceUser}:`, dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
