import type { Pool } from 'pg';
import { classifyDbError } from '../core/errors';
import { latestDeadLetter } from './deadLettersSql';
import type { RelayStateName, WebhookState } from './types';

interface StateRow {
  id: string;
  received_at: Date;
  event_type: string;
  ticket_number: string | null;
  published_at: Date | null;
  seq: string | null;
  relayed_at: Date | null;
}

/** A stored webhook and how far it got: published, relayed (seq), dead-lettered; undefined when unknown. */
export async function webhookState(pool: Pool, id: number): Promise<WebhookState | undefined> {
  let row: StateRow | undefined;
  try {
    ({
      rows: [row],
    } = await pool.query<StateRow>(
      `SELECT w.id, w.received_at, w.event_type, w.ticket_number, w.published_at, l.seq, l.relayed_at
         FROM webhook_event w LEFT JOIN live_event l ON l.webhook_id = w.id WHERE w.id = $1`,
      [id],
    ));
  } catch (error) {
    throw classifyDbError(error);
  }
  if (!row) return undefined;
  const deadLetter = await latestDeadLetter(pool, id);
  let state: RelayStateName = 'pending';
  if (row.seq !== null) state = 'relayed';
  else if (deadLetter && deadLetter.redrivenAt === null) state = 'dead-lettered';
  else if (row.published_at !== null || deadLetter) state = 'published';
  return {
    id: Number(row.id),
    receivedAt: row.received_at.toISOString(),
    event: row.event_type,
    ticketNumber: row.ticket_number,
    publishedAt: row.published_at?.toISOString() ?? null,
    relay: {
      state,
      seq: row.seq === null ? null : Number(row.seq),
      relayedAt: row.relayed_at?.toISOString() ?? null,
      deadLetter,
    },
  };
}
