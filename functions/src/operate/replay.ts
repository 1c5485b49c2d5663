import type { OperationsMetrics } from '../metrics/operationsMetrics';
import { classifyDbError } from '../core/errors';
import type { StoredWebhookRow } from './deadLettersSql';
import { relayBacklogProbe, requeueWebhook, type RelayRequeueDeps } from './relayPublisher';

/** Which stored webhooks: an id range (inclusive) and/or a received-at range (from inclusive, to exclusive). */
export interface ReplayRange {
  fromId?: number;
  toId?: number;
  from?: Date;
  to?: Date;
}

export interface ReplayDeps extends RelayRequeueDeps {
  metrics: OperationsMetrics;
  /** Recomputes the ticket projection from webhook_event (the relay's rebuild); asked for by `rebuild`. */
  rebuildTickets: () => Promise<number>;
}

export interface ReplayOptions {
  rebuild?: boolean;
  /** Told after each page: webhooks re-published so far, of how many. */
  onProgress?: (done: number, total: number) => void;
  pageSize?: number;
  /**
   * Messages allowed to wait in the relay queue before the next page is published. Live webhooks
   * queue behind whatever a replay put there: kept short, their delay stays a fraction of a second.
   */
  maxBacklog?: number;
}

export interface ReplayResult {
  replayed: number;
  rebuilt: boolean;
}

const WHERE = `($1::bigint IS NULL OR id >= $1) AND ($2::bigint IS NULL OR id <= $2)
  AND ($3::timestamptz IS NULL OR received_at >= $3) AND ($4::timestamptz IS NULL OR received_at < $4)`;

function rangeParams(range: ReplayRange): unknown[] {
  return [range.fromId ?? null, range.toId ?? null, range.from ?? null, range.to ?? null];
}

/**
 * Re-publishes the stored webhooks of a range to the relay queue, in id order, a page at a time.
 * Idempotent by the relay's own rule: a webhook it has relayed keeps its live event and seq, and
 * its live event goes out again with that seq, which every bridge has sent already and drops. So
 * a replay relays what never was (lost, dead-lettered) and shows nothing twice. With `rebuild`
 * the ticket projection is first recomputed from webhook_event.
 */
export async function replay(deps: ReplayDeps, range: ReplayRange, options: ReplayOptions = {}): Promise<ReplayResult> {
  const pageSize = options.pageSize ?? 100;
  const maxBacklog = options.maxBacklog ?? 100;
  if (options.rebuild) await deps.rebuildTickets();
  const backlog = await relayBacklogProbe(deps);
  try {
    const { rows } = await deps.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM webhook_event WHERE ${WHERE}`,
      rangeParams(range),
    );
    const total = Number(rows[0].n);
    let done = 0;
    options.onProgress?.(0, total);
    for (let after = 0; ;) {
      const page = await deps.pool.query<StoredWebhookRow>(
        `SELECT id, received_at, event_type, body_sha256, payload::text AS payload FROM webhook_event
          WHERE ${WHERE} AND id > $5 ORDER BY id LIMIT $6`,
        [...rangeParams(range), after, pageSize],
      );
      if (page.rows.length === 0) break;
      while ((await backlog.depth()) > maxBacklog) await new Promise((r) => setTimeout(r, 20));
      await Promise.all(page.rows.map((row) => requeueWebhook(deps, row, 'replay')));
      deps.metrics.replayed.inc(page.rows.length);
      done += page.rows.length;
      // Rows stored during the replay may exceed the count taken at its start.
      options.onProgress?.(done, Math.max(total, done));
      after = Number(page.rows[page.rows.length - 1].id);
      if (page.rows.length < pageSize) break;
    }
    return { replayed: done, rebuilt: options.rebuild === true };
  } catch (error) {
    throw classifyDbError(error);
  } finally {
    await backlog.close();
  }
}
