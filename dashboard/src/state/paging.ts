/** A page of a list the API pages by cursor, newest first. */
export interface CursorPage<T> {
  items: T[];
  /** Opaque: pass it back as `cursor` for the next (older) page of the same question; null at the end. */
  nextCursor: string | null;
}

/** The list so far with the next page after it; a record already shown (same id) is never shown twice. */
export function appendById<T extends { id: number }>(items: readonly T[], page: CursorPage<T>): T[] {
  const seen = new Set(items.map((item) => item.id));
  return [...items, ...page.items.filter((item) => !seen.has(item.id))];
}
