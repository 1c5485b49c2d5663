import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Permission bits of a file or folder. */
export function modeOf(file: string): number {
  return lstatSync(file).mode & 0o777;
}

/** Everything below dir (dir included) that its group or other users may read, write or enter, with its mode. */
export function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const visit = (entry: string) => {
    const stat = lstatSync(entry);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) found.push(`${(stat.mode & 0o777).toString(8)} ${entry}`);
    if (stat.isDirectory()) for (const child of readdirSync(entry)) visit(path.join(entry, child));
  };
  visit(dir);
  return found;
}

/** Everything below dir (dir included) not owned by uid. */
export function notOwnedBy(dir: string, uid: number): string[] {
  const found: string[] = [];
  const visit = (entry: string) => {
    const stat = lstatSync(entry);
    if (stat.uid !== uid) found.push(`${stat.uid} ${entry}`);
    if (stat.isDirectory() && !stat.isSymbolicLink())
      for (const child of readdirSync(entry)) visit(path.join(entry, child));
  };
  visit(dir);
  return found;
}

/** The uid a service runs as: its own user as root, else the caller. */
export function serviceUid(user: string): number {
  const self = process.getuid?.() ?? 0;
  return self === 0 ? Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim()) : self;
}

/** The mode of a folder holding service folders: 0711 as root (the service users pass through), else 0700. */
export function expectedParentMode(): number {
  return (process.getuid?.() ?? 0) === 0 ? 0o711 : 0o700;
}

/** Opens a tree the way an earlier version left a private folder: folders 0755, files 0644. */
export function openUp(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    chmodSync(full, entry.isDirectory() ? 0o755 : 0o644);
    if (entry.isDirectory()) openUp(full);
  }
  chmodSync(dir, 0o755);
}
