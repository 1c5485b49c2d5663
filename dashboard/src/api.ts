import { deadLetterSearch, type DeadLetterState } from './state/deadLetters';
import { deliverySearch, type DeliveryFilter } from './state/deliveries';
import type { TicketQuery } from './state/tickets';
import type {
  DeadLetterPage,
  DeliveryPage,
  RedriveRequest,
  RedriveResult,
  Stats,
  TicketDetail,
  TicketPage,
} from './types';

/** An API answer that was not a 2xx: its status and the `error` text of its JSON body. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError)
    return error.status >= 500 ? `The API is unavailable (${error.status}): ${error.message}` : error.message;
  if (error instanceof Error)
    return error.name === 'TypeError' ? `The API cannot be reached: ${error.message}` : error.message;
  return String(error);
}

/** GET, or POST when `payload` is given (sent as JSON); the answer's JSON, or an ApiError. */
async function requestJson<T>(url: string, signal?: AbortSignal, payload?: unknown): Promise<T> {
  const init: RequestInit =
    payload === undefined
      ? { headers: { Accept: 'application/json' }, signal }
      : {
          method: 'POST',
          headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
          body: JSON.stringify(payload),
          signal,
        };
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const message =
      body && typeof body === 'object' && 'error' in body
        ? String((body as { error: unknown }).error)
        : response.statusText || 'request failed';
    throw new ApiError(response.status, message);
  }
  if (body === undefined) throw new ApiError(response.status, `${url} did not answer JSON`);
  return body as T;
}

/** The read APIs of the functions host, relative to `base` ('' = same origin, proxied). */
export function createApiClient(base = '') {
  return {
    stats: (signal?: AbortSignal) => requestJson<Stats>(`${base}/api/stats`, signal),
    tickets: (options: { limit?: number; cursor?: string | null; query?: TicketQuery } = {}, signal?: AbortSignal) =>
      requestJson<TicketPage>(`${base}/api/tickets?${ticketSearch(options)}`, signal),
    /** The sales of a date range (GET /api/stats with from/to): the charts' range picker. */
    sales: async (
      range: { from: string; to: string; bucket: 'minute' | 'hour' | 'day'; zone: string },
      signal?: AbortSignal,
    ) => {
      const stats = await requestJson<Stats>(`${base}/api/stats?${new URLSearchParams(range)}`, signal);
      return stats.sales?.series ?? [];
    },
    ticket: (number: string, signal?: AbortSignal) =>
      requestJson<TicketDetail>(`${base}/api/tickets/${encodeURIComponent(number)}`, signal),
    /** The delivery log, newest first. */
    deliveries: (
      filter: DeliveryFilter,
      options: { limit?: number; cursor?: string | null } = {},
      signal?: AbortSignal,
    ) => requestJson<DeliveryPage>(`${base}/api/deliveries?${deliverySearch(filter, options)}`, signal),
    deadLetters: (
      state: DeadLetterState,
      options: { limit?: number; cursor?: string | null } = {},
      signal?: AbortSignal,
    ) => requestJson<DeadLetterPage>(`${base}/api/dead-letters?${deadLetterSearch(state, options)}`, signal),
    /** Sent with the admin key by the dashboard server, never by the browser. */
    redrive: (target: RedriveRequest, signal?: AbortSignal) =>
      requestJson<RedriveResult>(`${base}/api/dead-letters/redrive`, signal, target),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The query string of GET /api/tickets (also the CSV export's): only the parameters in use. */
export function ticketSearch(options: {
  limit?: number;
  cursor?: string | null;
  query?: TicketQuery;
}): URLSearchParams {
  const search = new URLSearchParams();
  if (options.limit !== undefined) search.set('limit', String(options.limit));
  const q = options.query;
  if (q) {
    for (const key of ['event', 'category', 'status', 'from', 'to'] as const)
      if (q[key] !== '') search.set(key, q[key]);
    if (q.q.trim() !== '') search.set('q', q.q.trim());
    if (q.sort !== 'updated') search.set('sort', q.sort);
  }
  if (options.cursor) search.set('cursor', options.cursor);
  return search;
}
