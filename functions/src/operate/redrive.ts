import type { OperationsMetrics } from '../metrics/operationsMetrics';
import { classifyDbError } from '../core/errors';
import { maxDeadLetterId, takeForRedrive, unknownDeadLetters } from './deadLettersSql';
import { requeueWebhook, type RelayRequeueDeps } from './relayPublisher';

export interface RedriveDeps extends RelayRequeueDeps {
  metrics: OperationsMetrics;
}

export type RedriveRequest = { ids: number[] } | { all: true };

export interface RedriveResult {
  redriven: number;
  /** The dead letters redriven (those of the request that were still waiting). */
  ids: number[];
}

/** Some requested dead letters do not exist: nothing was redriven. */
export class UnknownDeadLettersError extends Error {
  override name = 'UnknownDeadLettersError';
  constructor(readonly ids: number[]) {
    super(`No dead letter ${ids.join(', ')}`);
  }
}

const SLICE = 500;

/**
 * Re-publishes the stored webhooks of waiting dead letters to the relay queue, from Postgres, and
 * marks them redriven, a slice per transaction. A publish that fails rolls its slice back: those
 * stay waiting (any copy that did reach the queue is relayed once, the relay being idempotent).
 * `all` means the dead letters waiting when the redrive starts, so one failing again at once is
 * not taken again in a loop.
 */
export async function redrive(deps: RedriveDeps, request: RedriveRequest): Promise<RedriveResult> {
  const ids = 'ids' in request ? [...new Set(request.ids)] : undefined;
  if (ids) {
    const unknown = await unknownDeadLetters(deps.pool, ids);
    if (unknown.length > 0) throw new UnknownDeadLettersError(unknown);
  }
  const upToId = ids ? undefined : await maxDeadLetterId(deps.pool);
  const done: number[] = [];
  for (;;) {
    const slice = await redriveSlice(deps, { ids, upToId, limit: SLICE });
    done.push(...slice);
    if (slice.length < SLICE) break;
  }
  deps.metrics.redriven.inc(done.length);
  return { redriven: done.length, ids: done };
}

async function redriveSlice(
  deps: RedriveDeps,
  selection: { ids?: number[]; upToId?: number; limit: number },
): Promise<number[]> {
  let client;
  try {
    client = await deps.pool.connect();
  } catch (error) {
    throw classifyDbError(error);
  }
  try {
    await client.query('BEGIN');
    const rows = await takeForRedrive(client, selection);
    await Promise.all(rows.flatMap((row) => (row.webhook ? [requeueWebhook(deps, row.webhook, 'redrive')] : [])));
    await client.query('COMMIT');
    return rows.map((r) => Number(r.dead_letter_id));
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw classifyDbError(error);
  } finally {
    client.release();
  }
}
