/** What a GET /events asks for: resume after a webhook id, backfill the last N, or just the live stream. */
export type EventsRequest =
  { kind: 'live' } | { kind: 'resume'; lastEventId: number } | { kind: 'history'; count: number };

export class BadEventsRequest extends Error {
  override name = 'BadEventsRequest';
}

const DIGITS = /^\d{1,15}$/;

/**
 * The Last-Event-ID header wins over `?lastEventId=`: EventSource reconnects to the same URL
 * (query included) but sends the newest id in the header. A resume ignores `?history`.
 */
export function parseEventsRequest(
  query: URLSearchParams,
  lastEventIdHeader: string | undefined,
  maxHistory: number,
): EventsRequest {
  const rawId = (lastEventIdHeader ?? '').trim() || (query.get('lastEventId') ?? '').trim();
  if (rawId !== '') {
    if (!DIGITS.test(rawId) || Number(rawId) === 0)
      throw new BadEventsRequest(`Last-Event-ID must be a positive integer (a webhook id), got "${rawId}"`);
    return { kind: 'resume', lastEventId: Number(rawId) };
  }
  const rawHistory = query.get('history');
  if (rawHistory !== null) {
    const count = Number(rawHistory);
    if (!/^\d+$/.test(rawHistory.trim()) || count > maxHistory) {
      throw new BadEventsRequest(`history must be an integer from 0 to ${maxHistory}, got "${rawHistory}"`);
    }
    return count === 0 ? { kind: 'live' } : { kind: 'history', count };
  }
  return { kind: 'live' };
}
