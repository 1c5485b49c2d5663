import type { Reply } from './load';

export interface Observed {
  replies: Reply[];
  /** Ids in webhook_event. */
  stored: Set<number>;
  /** Every message id seen on petzi.webhooks (repeats included). */
  published: number[];
  /** Ids in live_event (relayed). */
  relayed: Set<number>;
  /** What each SSE client that stayed connected was shown (repeats included). */
  clients: number[][];
}

export interface Reconciliation {
  sent: number;
  ok: number;
  /** Distinct ids acknowledged with a 200. */
  acknowledged: number;
  refused: Record<string, number>;
  stored: number;
  published: number;
  relayed: number;
  /** Acknowledged ids that every client was shown. */
  deliveredToSse: number;
  /** Acknowledged ids missing from storage, the broker, the relay or any client. Must be 0. */
  lost: number;
  lostIds: number[];
  publishDuplicates: number;
  sseDuplicatesShown: number;
}

/** Checks every acknowledged webhook against each stage of the pipeline. */
export function reconcile(observed: Observed): Reconciliation {
  const acknowledged = new Set(observed.replies.flatMap((r) => (r.status === 200 && r.id !== undefined ? [r.id] : [])));
  const published = new Set(observed.published);
  const clientSets = observed.clients.map((ids) => new Set(ids));
  const refused: Record<string, number> = {};
  for (const reply of observed.replies) {
    if (reply.status === 200) continue;
    const key = reply.status === 0 ? `error: ${reply.error ?? 'unknown'}` : String(reply.status);
    refused[key] = (refused[key] ?? 0) + 1;
  }
  const lostIds = [...acknowledged].filter(
    (id) =>
      !observed.stored.has(id) || !published.has(id) || !observed.relayed.has(id) || clientSets.some((s) => !s.has(id)),
  );
  const count = (set: Set<number>) => [...acknowledged].filter((id) => set.has(id)).length;
  return {
    sent: observed.replies.length,
    ok: observed.replies.filter((r) => r.status === 200).length,
    acknowledged: acknowledged.size,
    refused,
    stored: count(observed.stored),
    published: count(published),
    relayed: count(observed.relayed),
    deliveredToSse: [...acknowledged].filter((id) => clientSets.every((s) => s.has(id))).length,
    lost: lostIds.length,
    lostIds: lostIds.slice(0, 20),
    publishDuplicates: observed.published.length - published.size,
    sseDuplicatesShown: observed.clients.reduce((sum, ids) => sum + ids.length - new Set(ids).size, 0),
  };
}
