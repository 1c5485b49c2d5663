import type { Pool, PoolClient } from 'pg';
import { classifyDbError } from '../core/errors';
import type { DeadLetter } from './types';

/** A stored webhook as the relay queue carries it, read for a redrive or a replay. */
export interface StoredWebhookRow {
  id: string;
  received_at: Date;
  event_type: string;
  body_sha256: string;
  payload: string;
}

interface DeadLetterRow {
  id: string;
  webhook_id: string;
  ticket_number: string | null;
  reason: string;
  tries: number;
  dead_lettered_at: Date;
  redriven_at: Date | null;
}

export function deadLetterOf(row: DeadLetterRow): DeadLetter {
  return {
    id: Number(row.id),
    webhookId: Number(row.webhook_id),
    ticketNumber: row.ticket_number,
    reason: row.reason,
    tries: row.tries,
    deadLetteredAt: row.dead_lettered_at.toISOString(),
    redrivenAt: row.redriven_at?.toISOString() ?? null,
  };
}

// An unverified dead letter names a webhook id, but its body was not that webhook's: no ticket is known for it.
const DEAD_LETTER_COLUMNS = `d.id, d.webhook_id, CASE WHEN d.kind = 'unverified' THEN NULL ELSE w.ticket_number END AS ticket_number,
  d.reason, d.tries, d.dead_lettered_at, d.redriven_at`;

async function run<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw classifyDbError(error);
  }
}

/** The relay failed a webhook's message: keeps the reason for its dead letter, counting tries. */
export async function upsertRelayFailure(pool: Pool, webhookId: number, kind: string, reason: string): Promise<void> {
  await run(() =>
    pool.query(
      `INSERT INTO relay_failure AS f (webhook_id, kind, reason, tries) VALUES ($1, $2, $3, 1)
       ON CONFLICT (webhook_id) DO UPDATE SET kind = EXCLUDED.kind, reason = EXCLUDED.reason, failed_at = now(),
           -- A failure long after the last one is a new story, not its sixth try.
           tries = CASE WHEN f.failed_at < now() - interval '1 hour' THEN 1 ELSE f.tries + 1 END`,
      [webhookId, kind, reason],
    ),
  );
}

/**
 * Records a message taken from the dead-letter queue, with the relay's last failure as its reason
 * (else `fallbackReason`). Returns undefined when no stored webhook has that id.
 */
export async function insertDeadLetter(
  pool: Pool,
  webhookId: number,
  fallback: { reason: string; tries: number },
): Promise<{ id: number; kind: string } | undefined> {
  const { rows } = await run(() =>
    pool.query<{ id: string; kind: string }>(
      `INSERT INTO dead_letter (webhook_id, kind, reason, tries)
       SELECT w.id, coalesce(f.kind, 'unknown'), coalesce(f.reason, $2), coalesce(f.tries, $3)
         FROM webhook_event w LEFT JOIN relay_failure f ON f.webhook_id = w.id
        WHERE w.id = $1
       ON CONFLICT (webhook_id) WHERE redriven_at IS NULL AND kind <> 'unverified'
       DO UPDATE SET kind = EXCLUDED.kind, reason = EXCLUDED.reason, tries = EXCLUDED.tries, dead_lettered_at = now()
       RETURNING id, kind`,
      [webhookId, fallback.reason, fallback.tries],
    ),
  );
  return rows[0] ? { id: Number(rows[0].id), kind: rows[0].kind } : undefined;
}

export type DeadLetterState = 'waiting' | 'redriven' | 'all';

/**
 * A page of dead letters, newest first (`beforeId` pages), and how many wait, read in one
 * snapshot: a dead letter recorded between two reads would make the count and the page disagree.
 */
export async function deadLetterPage(
  pool: Pool,
  state: DeadLetterState,
  limit: number,
  beforeId?: number,
): Promise<{ items: DeadLetter[]; waiting: number }> {
  const { rows } = await run(() =>
    pool.query<{ waiting: string; items: DeadLetterRow[] }>(
      `WITH page AS (
           SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letter d LEFT JOIN webhook_event w ON w.id = d.webhook_id
            WHERE ($1 = 'all' OR ($1 = 'waiting') = (d.redriven_at IS NULL)) AND ($2::bigint IS NULL OR d.id < $2)
            ORDER BY d.id DESC LIMIT $3
       )
       SELECT (SELECT count(*) FROM dead_letter WHERE redriven_at IS NULL) AS waiting,
              coalesce((SELECT json_agg(p ORDER BY p.id DESC) FROM page p), '[]'::json) AS items`,
      [state, beforeId ?? null, limit],
    ),
  );
  // json_agg gives timestamps as text: back to the row's types before mapping.
  const items = rows[0].items.map((r) => ({
    ...r,
    dead_lettered_at: new Date(r.dead_lettered_at),
    redriven_at: r.redriven_at === null ? null : new Date(r.redriven_at),
  }));
  return { items: items.map(deadLetterOf), waiting: Number(rows[0].waiting) };
}

export async function waitingByKind(pool: Pool): Promise<Array<{ reason: string; count: number }>> {
  const { rows } = await run(() =>
    pool.query<{ kind: string; n: string }>(
      'SELECT kind, count(*) AS n FROM dead_letter WHERE redriven_at IS NULL GROUP BY kind ORDER BY kind',
    ),
  );
  return rows.map((r) => ({ reason: r.kind, count: Number(r.n) }));
}

/**
 * The webhook's latest dead letter, waiting or redriven. An unverified one is a message someone
 * published with this webhook's id and another body: it says nothing about the webhook itself.
 */
export async function latestDeadLetter(pool: Pool, webhookId: number): Promise<DeadLetter | null> {
  const { rows } = await run(() =>
    pool.query<DeadLetterRow>(
      `SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letter d JOIN webhook_event w ON w.id = d.webhook_id
        WHERE d.webhook_id = $1 AND d.kind <> 'unverified' ORDER BY d.id DESC LIMIT 1`,
      [webhookId],
    ),
  );
  return rows[0] ? deadLetterOf(rows[0]) : null;
}

/** Of these dead letter ids, those that do not exist. */
export async function unknownDeadLetters(pool: Pool, ids: number[]): Promise<number[]> {
  const { rows } = await run(() =>
    pool.query<{ id: string }>(
      'SELECT i AS id FROM unnest($1::bigint[]) AS i WHERE NOT EXISTS (SELECT 1 FROM dead_letter d WHERE d.id = i) ORDER BY i',
      [ids],
    ),
  );
  return rows.map((r) => Number(r.id));
}

export interface RedriveSelection {
  /** These dead letters (those still waiting); else every waiting one up to `upToId`. */
  ids?: number[];
  upToId?: number;
  limit: number;
}

/** A dead letter taken for a redrive, with the stored webhook to re-publish (null for an unverified one). */
export interface RedriveRow {
  dead_letter_id: string;
  webhook: StoredWebhookRow | null;
}

/**
 * Inside the caller's transaction: marks waiting dead letters redriven and forgets their webhooks'
 * relay failures, returning the webhooks to re-publish. Marking before publishing matters: a
 * redriven message that fails again at once must find no waiting row to update (the recorder's
 * insert waits for this transaction and then makes a new row). An unverified dead letter (a message
 * no stored webhook backs) is only marked: it has no webhook of its own to re-publish.
 */
export async function takeForRedrive(client: PoolClient, selection: RedriveSelection): Promise<RedriveRow[]> {
  const { rows } = await run(() =>
    // The webhook's columns are null for an unverified dead letter (LEFT JOIN).
    client.query<Omit<StoredWebhookRow, 'id'> & { dead_letter_id: string; id: string | null }>(
      `WITH chosen AS (
           SELECT id FROM dead_letter
            WHERE redriven_at IS NULL AND ($1::bigint[] IS NULL OR id = ANY($1)) AND ($2::bigint IS NULL OR id <= $2)
            ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED
       ), marked AS (
           UPDATE dead_letter d SET redriven_at = now() FROM chosen c WHERE d.id = c.id RETURNING d.id, d.webhook_id, d.kind
       ), forgotten AS (
           DELETE FROM relay_failure f USING marked m WHERE f.webhook_id = m.webhook_id AND m.kind <> 'unverified'
       )
       SELECT m.id AS dead_letter_id, w.id, w.received_at, w.event_type, w.body_sha256, w.payload::text AS payload
         FROM marked m LEFT JOIN webhook_event w ON w.id = m.webhook_id AND m.kind <> 'unverified' ORDER BY m.id`,
      [selection.ids ?? null, selection.upToId ?? null, selection.limit],
    ),
  );
  return rows.map(({ dead_letter_id, id, ...webhook }) => ({
    dead_letter_id,
    webhook: id === null ? null : { id, ...webhook },
  }));
}

export async function maxDeadLetterId(pool: Pool): Promise<number> {
  const { rows } = await run(() => pool.query<{ max: string | null }>('SELECT max(id) AS max FROM dead_letter'));
  return Number(rows[0].max ?? 0);
}
