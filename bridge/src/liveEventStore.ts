import type { Pool } from 'pg';
import { frameOf, type LiveFrame } from './liveFrame';
import type { SequencerSource } from './sequencer';

interface Row {
  seq: string;
  webhook_id: string;
  body: Record<string, unknown>;
}

function toFrame(row: Row): LiveFrame {
  return frameOf(Number(row.seq), Number(row.webhook_id), row.body);
}

/** Reads of live_event, the relay's ordered log of what it sent to petzi.live. */
export class LiveEventStore implements SequencerSource<LiveFrame> {
  constructor(private readonly pool: Pool) {}

  async maxSeq(): Promise<number> {
    const { rows } = await this.pool.query<{ max: string | null }>('SELECT max(seq) AS max FROM live_event');
    return Number(rows[0]?.max ?? 0);
  }

  async fetchBetween(afterSeq: number, beforeSeq: number | undefined, limit: number): Promise<LiveFrame[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT seq, webhook_id, body FROM live_event
        WHERE seq > $1 AND ($2::bigint IS NULL OR seq < $2)
        ORDER BY seq LIMIT $3`,
      [afterSeq, beforeSeq ?? null, limit],
    );
    return rows.map(toFrame);
  }

  /** The seq of a webhook's live event, or undefined when it was never relayed. */
  async seqOfWebhook(webhookId: number): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ seq: string }>('SELECT seq FROM live_event WHERE webhook_id = $1', [
      webhookId,
    ]);
    return rows.length === 0 ? undefined : Number(rows[0].seq);
  }

  /** The newest `count` events, oldest first. */
  async latest(count: number): Promise<LiveFrame[]> {
    if (count === 0) return [];
    const { rows } = await this.pool.query<Row>(
      'SELECT seq, webhook_id, body FROM live_event ORDER BY seq DESC LIMIT $1',
      [count],
    );
    return rows.reverse().map(toFrame);
  }
}
