import type { Pool } from 'pg';
import { classifyDbError } from '../core/errors';
import type { Delivery } from './types';

/** What the webhook handler knows of one request when it has answered it. */
export interface Attempt {
  receivedAt: Date;
  outcome: string;
  status: number;
  bodyBytes: number;
  bodySha256: string | null;
  signatureTimestamp: Date | null;
  webhookId: number | null;
  sourceAddress: string | null;
}

/** One statement for a batch of attempts, whatever its size. */
export async function insertAttempts(pool: Pool, attempts: Attempt[]): Promise<void> {
  if (attempts.length === 0) return;
  try {
    await pool.query(
      `INSERT INTO delivery_attempt (received_at, outcome, status, body_bytes, body_sha256, signature_timestamp, webhook_id, source_address)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::smallint[], $4::integer[], $5::char(64)[], $6::timestamptz[], $7::bigint[], $8::text[])`,
      [
        attempts.map((a) => a.receivedAt),
        attempts.map((a) => a.outcome),
        attempts.map((a) => a.status),
        attempts.map((a) => a.bodyBytes),
        attempts.map((a) => a.bodySha256),
        attempts.map((a) => a.signatureTimestamp),
        attempts.map((a) => a.webhookId),
        attempts.map((a) => a.sourceAddress),
      ],
    );
  } catch (error) {
    throw classifyDbError(error);
  }
}

export interface AttemptFilter {
  outcome?: string;
  status?: number;
  from?: Date;
  to?: Date;
}

interface AttemptRow {
  id: string;
  received_at: Date;
  outcome: string;
  status: number;
  body_bytes: number;
  body_sha256: string | null;
  signature_timestamp: Date | null;
  webhook_id: string | null;
  source_address: string | null;
}

function deliveryOf(row: AttemptRow): Delivery {
  return {
    id: Number(row.id),
    receivedAt: row.received_at.toISOString(),
    outcome: row.outcome,
    status: row.status,
    bodyBytes: row.body_bytes,
    bodySha256: row.body_sha256,
    signatureTimestamp: row.signature_timestamp?.toISOString() ?? null,
    webhookId: row.webhook_id === null ? null : Number(row.webhook_id),
    sourceAddress: row.source_address,
  };
}

/** Newest first (by id, the order they were written in); `beforeId` pages. */
export async function listAttempts(
  pool: Pool,
  filter: AttemptFilter,
  limit: number,
  beforeId?: number,
): Promise<Delivery[]> {
  try {
    const { rows } = await pool.query<AttemptRow>(
      `SELECT id, received_at, outcome, status, body_bytes, body_sha256, signature_timestamp, webhook_id, source_address
         FROM delivery_attempt
        WHERE ($1::text IS NULL OR outcome = $1) AND ($2::int IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR received_at >= $3) AND ($4::timestamptz IS NULL OR received_at < $4)
          AND ($5::bigint IS NULL OR id < $5)
        ORDER BY id DESC LIMIT $6`,
      [filter.outcome ?? null, filter.status ?? null, filter.from ?? null, filter.to ?? null, beforeId ?? null, limit],
    );
    return rows.map(deliveryOf);
  } catch (error) {
    throw classifyDbError(error);
  }
}

/** Deletes attempts received before `before`, in slices so no statement holds locks for long; returns how many. */
export async function pruneAttempts(pool: Pool, before: Date, slice = 10_000): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM delivery_attempt WHERE id IN (SELECT id FROM delivery_attempt WHERE received_at < $1 LIMIT $2)`,
      [before, slice],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < slice) return total;
  }
}
