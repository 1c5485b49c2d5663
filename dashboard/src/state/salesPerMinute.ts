/** Tickets per minute, keyed by the minute's start as an ISO string (UTC, seconds zeroed). */
export type MinuteBuckets = ReadonlyMap<string, number>;

const MINUTE_MS = 60_000;

export function minuteKey(at: string | number | Date): string {
  const ms = typeof at === 'number' ? at : new Date(at).getTime();
  if (!Number.isFinite(ms)) throw new Error(`not a time: "${String(at)}"`);
  return new Date(Math.floor(ms / MINUTE_MS) * MINUTE_MS).toISOString();
}

/** The API's `salesPerMinute` as buckets (its minute strings are normalised to our keys). */
export function bucketsFrom(rows: ReadonlyArray<{ minute: string; tickets: number }>): Map<string, number> {
  const buckets = new Map<string, number>();
  for (const row of rows) {
    const key = minuteKey(row.minute);
    buckets.set(key, (buckets.get(key) ?? 0) + row.tickets);
  }
  return buckets;
}

export function addToBucket(buckets: MinuteBuckets, at: string, tickets: number): Map<string, number> {
  const next = new Map(buckets);
  const key = minuteKey(at);
  const value = (next.get(key) ?? 0) + tickets;
  if (value === 0) next.delete(key);
  else next.set(key, value);
  return next;
}

/**
 * The last `minutes` minutes ending with the minute of `now`, oldest first, zeros filled in,
 * so the chart's x axis slides even when nothing sells.
 */
export function lastMinutes(
  buckets: MinuteBuckets,
  now: number,
  minutes = 60,
): Array<{ minute: string; tickets: number }> {
  const end = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const out: Array<{ minute: string; tickets: number }> = [];
  for (let i = minutes - 1; i >= 0; i -= 1) {
    const minute = new Date(end - i * MINUTE_MS).toISOString();
    out.push({ minute, tickets: buckets.get(minute) ?? 0 });
  }
  return out;
}

/** Drops buckets older than the window, so a dashboard left open for days stays small. */
export function pruneBuckets(buckets: MinuteBuckets, now: number, minutes = 60): Map<string, number> {
  const oldest = Math.floor(now / MINUTE_MS) * MINUTE_MS - (minutes - 1) * MINUTE_MS;
  const next = new Map<string, number>();
  for (const [key, value] of buckets) if (new Date(key).getTime() >= oldest) next.set(key, value);
  return next;
}
