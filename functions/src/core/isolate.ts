/**
 * Runs a batch as one unit of work (one statement, one transaction). If it fails because of what
 * it holds, the batch is split in halves and each half tried again, down to single items, so only
 * the culprit fails and its batch-mates succeed: k bad items among n cost about 2k·log2(n) more
 * tries. A failure that `isOutage` recognises (the database is away) is no item's fault: it fails
 * every item not yet done, without more tries.
 *
 * `run` returns one result per item, in order, and does whatever must follow its own commit (a
 * publish, say), since each successful part commits on its own.
 */
export async function runIsolating<I, O>(
  items: I[],
  run: (items: I[]) => Promise<O[]>,
  isOutage: (error: unknown) => boolean,
): Promise<Array<O | Error>> {
  try {
    return await run(items);
  } catch (error) {
    if (items.length === 1 || isOutage(error)) return items.map(() => asError(error));
    const middle = Math.ceil(items.length / 2);
    const first = await runIsolating(items.slice(0, middle), run, isOutage);
    const outage = first.find((r): r is Error => r instanceof Error && isOutage(r));
    if (outage) return [...first, ...items.slice(middle).map(() => outage)];
    return [...first, ...(await runIsolating(items.slice(middle), run, isOutage))];
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
