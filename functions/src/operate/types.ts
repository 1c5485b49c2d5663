/** The shapes of the operations API (docs/operations.md); the CLI prints the same. */

/** One request to /webhook, as the delivery log keeps it. */
export interface Delivery {
  id: number;
  receivedAt: string;
  /** "stored", "duplicate", or the refusal reason of webhook_requests_total{reason}. */
  outcome: string;
  status: number;
  bodyBytes: number;
  bodySha256: string | null;
  signatureTimestamp: string | null;
  webhookId: number | null;
  sourceAddress: string | null;
}

export interface DeadLetter {
  id: number;
  webhookId: number;
  ticketNumber: string | null;
  reason: string;
  tries: number;
  deadLetteredAt: string;
  redrivenAt: string | null;
}

export type RelayStateName = 'pending' | 'published' | 'relayed' | 'dead-lettered';

export interface WebhookState {
  id: number;
  receivedAt: string;
  event: string;
  ticketNumber: string | null;
  publishedAt: string | null;
  relay: { state: RelayStateName; seq: number | null; relayedAt: string | null; deadLetter: DeadLetter | null };
}

/** A page of a list, newest first; nextCursor is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
