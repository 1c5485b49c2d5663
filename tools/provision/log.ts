import path from 'node:path';

/** Where provisioning says what it does: one line per step, no prefix (the caller adds its own). */
export type Log = (message: string) => void;

/** A path as the user best reads it: relative to where they are when it is below, else absolute. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' || relative.startsWith('..') ? file : relative;
}
