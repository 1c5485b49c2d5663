import type { Reply } from '../../../tools/faults/load';
import type { ReconnectingSseClient } from '../../../tools/harness/sseClient';
import type { SwarmStack } from '../../../tools/swarm/stack';

/**
 * Every reply of the load, checked against each stage of the pipeline in the stack: the row
 * (webhook_event), the projection (ticket.webhook_id), the live event (live_event) and what every
 * SSE client was shown, all read through `docker exec` (psql in the db container) and the clients.
 */
export class Ledger {
  readonly replies: Reply[] = [];
  private readonly sends: number[] = [];

  constructor(
    private readonly stack: SwarmStack,
    private readonly clients: ReconnectingSseClient[],
  ) {}

  sent(at: number): void {
    this.sends.push(at);
  }

  record(reply: Reply): void {
    this.replies.push(reply);
  }

  /**
   * Waits until every request sent before `until` has its reply (an answer, an error or the load's
   * own timeout), so a step is judged on all it sent.
   */
  async settled(until: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const sent = this.sends.filter((at) => at < until).length;
    while (this.replies.filter((r) => r.sentAt < until).length < sent) {
      if (Date.now() > deadline)
        throw new Error(`requests sent before the step ended still unanswered after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Ids answered 200 by `until` (ms since epoch). */
  acknowledged(until = Number.POSITIVE_INFINITY): number[] {
    return this.replies.flatMap((r) =>
      r.status === 200 && r.id !== undefined && (r.repliedAt ?? 0) <= until ? [r.id] : [],
    );
  }

  /** Replies other than 200 within [from, until), by "status retry-after" ("0 <error>" for no answer). */
  refusals(from = 0, until = Number.POSITIVE_INFINITY): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.replies) {
      if (r.status === 200 || r.sentAt < from || r.sentAt >= until) continue;
      const key =
        r.status === 0
          ? `0 ${r.error ?? 'no answer'}`
          : `${r.status}${r.retryAfter === undefined ? '' : ` retry-after=${r.retryAfter}`}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  /**
   * Milliseconds from send to the whole reply of the 200s sent within [from, until): median, 99th percentile, largest.
   */
  replyMs(from = 0, until = Number.POSITIVE_INFINITY): { p50: number | null; p99: number | null; max: number | null } {
    const sorted = this.replies
      .flatMap((r) =>
        r.status === 200 && r.repliedAt !== undefined && r.sentAt >= from && r.sentAt < until
          ? [r.repliedAt - r.sentAt]
          : [],
      )
      .sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? null;
    return { p50: at(50), p99: at(99), max: sorted[sorted.length - 1] ?? null };
  }

  /** Sent and answered within [from, until). */
  counts(from: number, until: number): { sent: number; ok: number } {
    const inside = this.replies.filter((r) => r.sentAt >= from && r.sentAt < until);
    return { sent: inside.length, ok: inside.filter((r) => r.status === 200).length };
  }

  private async ids(query: string): Promise<Set<number>> {
    return new Set((await this.stack.sql(query)).map(([id]) => Number(id)));
  }

  /** What is missing for `ids` at each stage now. */
  async missing(ids: number[]): Promise<{ row: number[]; projection: number[]; liveEvent: number[]; sse: number[] }> {
    const [rows, projected, live] = [
      await this.ids('SELECT id FROM webhook_event'),
      await this.ids('SELECT webhook_id FROM ticket'),
      await this.ids('SELECT webhook_id FROM live_event'),
    ];
    return {
      row: ids.filter((id) => !rows.has(id)),
      projection: ids.filter((id) => !projected.has(id)),
      liveEvent: ids.filter((id) => !live.has(id)),
      sse: ids.filter((id) => this.clients.some((c) => !c.firstSeen.has(id))),
    };
  }

  /**
   * Requests answered with no 200 by `until` (a client timeout, a reset, a 503) that were stored
   * nonetheless, looked up by the sha256 of their body (what the pipeline dedupes on): the body is
   * UNIQUE in webhook_event, so each is stored once or not at all, and a stored one must go all the
   * way like an acknowledged one (caughtUp waits for both).
   */
  async unansweredButStored(until: number): Promise<{ unanswered: number; stored: number[] }> {
    const unanswered = this.replies.filter((r) => r.status !== 200 && r.sentAt < until);
    const stored: number[] = [];
    for (let i = 0; i < unanswered.length; i += 500) {
      const hashes = unanswered.slice(i, i + 500).map((r) => `'${r.bodySha256.replace(/[^0-9a-f]/g, '')}'`);
      stored.push(...(await this.ids(`SELECT id FROM webhook_event WHERE body_sha256 IN (${hashes.join(',')})`)));
    }
    return { unanswered: unanswered.length, stored };
  }

  /**
   * Waits until every id acknowledged by `until`, and every request stored without a 200, went all
   * the way (row, projection, live event, every client); returns the milliseconds it took and how
   * many unanswered requests were stored, or throws naming what is still missing.
   */
  async caughtUp(
    until: number,
    timeoutMs: number,
  ): Promise<{ ms: number; unanswered: number; unansweredStored: number }> {
    const started = Date.now();
    const { unanswered, stored } = await this.unansweredButStored(until);
    const ids = [...this.acknowledged(until), ...stored];
    for (;;) {
      const missing = await this.missing(ids);
      const left = Object.values(missing).reduce((n, list) => n + list.length, 0);
      if (left === 0) return { ms: Date.now() - started, unanswered, unansweredStored: stored.length };
      if (Date.now() - started > timeoutMs) {
        const say = Object.entries(missing).map(
          ([stage, list]) =>
            `${stage}: ${list.length}${list.length > 0 ? ` (e.g. ${list.slice(0, 5).join(', ')})` : ''}`,
        );
        throw new Error(
          `${ids.length} acknowledged (or stored unanswered) webhooks not all through after ${timeoutMs / 1000} s; missing ${say.join('; ')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }

  /** Whole-table counts: each stored webhook projected once and relayed once, nothing dead-lettered. */
  async totals(): Promise<{ rows: number; tickets: number; liveEvents: number; deadLetters: number }> {
    const [[rows, tickets, liveEvents, deadLetters]] = await this.stack.sql(
      'SELECT (SELECT count(*) FROM webhook_event), (SELECT count(*) FROM ticket), (SELECT count(*) FROM live_event), (SELECT count(*) FROM dead_letter)',
    );
    return {
      rows: Number(rows),
      tickets: Number(tickets),
      liveEvents: Number(liveEvents),
      deadLetters: Number(deadLetters),
    };
  }

  /** Events shown more than once, per client (Last-Event-ID resumes must not repeat any). */
  duplicatesShown(): number[] {
    return this.clients.map((c) => c.duplicates);
  }
}
