import { latencyStats, type LatencyStats } from './stats';
import type { Outcome } from './send';

/** How many failures the summary shows in full, and how much of each body. */
export const SHOWN_FAILURES = 5;
export const SHOWN_BODY_CHARS = 500;

export interface Failure {
  label: string;
  expectedStatus: number;
  /** null when no response came back. */
  status: number | null;
  /** The response body, or the network error. */
  detail: string;
}

export interface Summary {
  sent: number;
  asExpected: number;
  unexpected: number;
  /** Status code (or "error" for no response) to count. */
  byStatus: Record<string, number>;
  latencyMs: LatencyStats | null;
  failures: Failure[];
}

function truncate(text: string): string {
  return text.length > SHOWN_BODY_CHARS ? `${text.slice(0, SHOWN_BODY_CHARS)}…` : text;
}

/** Collects outcomes as they arrive; pure bookkeeping, no I/O. */
export class Tally {
  private readonly latencies: number[] = [];
  private readonly byStatus = new Map<string, number>();
  private readonly failures: Failure[] = [];
  private sent = 0;
  private unexpected = 0;

  /** Records one outcome; returns whether it was the expected status. */
  add(label: string, expectedStatus: number, outcome: Outcome): boolean {
    this.sent += 1;
    this.latencies.push(outcome.latencyMs);
    const key = outcome.kind === 'response' ? String(outcome.status) : 'error';
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
    const ok = outcome.kind === 'response' && outcome.status === expectedStatus;
    if (!ok) {
      this.unexpected += 1;
      if (this.failures.length < SHOWN_FAILURES) {
        this.failures.push({
          label,
          expectedStatus,
          status: outcome.kind === 'response' ? outcome.status : null,
          detail: truncate(outcome.kind === 'response' ? outcome.body : outcome.error),
        });
      }
    }
    return ok;
  }

  get counts(): { sent: number; unexpected: number } {
    return { sent: this.sent, unexpected: this.unexpected };
  }

  summary(): Summary {
    const byStatus: Record<string, number> = {};
    for (const key of [...this.byStatus.keys()].sort()) byStatus[key] = this.byStatus.get(key) as number;
    return {
      sent: this.sent,
      asExpected: this.sent - this.unexpected,
      unexpected: this.unexpected,
      byStatus,
      latencyMs: latencyStats(this.latencies),
      failures: [...this.failures],
    };
  }
}
