import type { Stats, TicketDetail, TicketPage } from './types';

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
  if (error instanceof ApiError) return error.status >= 500 ? `The API is unavailable (${error.status}): ${error.message}` : error.message;
  if (error instanceof Error) return error.name === 'TypeError' ? `The API cannot be reached: ${error.message}` : error.message;
  return String(error);
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { headers: { Accept: 'application/json' }, signal });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const message = body && typeof body === 'object' && 'error' in body ? String((body as { error: unknown }).error) : response.statusText || 'request failed';
    throw new ApiError(response.status, message);
  }
  if (body === undefined) throw new ApiError(response.status, `${url} did not answer JSON`);
  return body as T;
}

/** The read APIs of the functions host, relative to `base` ('' = same origin, proxied). */
export function createApiClient(base = '') {
  return {
    stats: (signal?: AbortSignal) => getJson<Stats>(`${base}/api/stats`, signal),
    tickets: (options: { limit?: number; before?: number | null } = {}, signal?: AbortSignal) => {
      const query = new URLSearchParams({ limit: String(options.limit ?? 50) });
      if (options.before != null) query.set('before', String(options.before));
      return getJson<TicketPage>(`${base}/api/tickets?${query}`, signal);
    },
    ticket: (number: string, signal?: AbortSignal) => getJson<TicketDetail>(`${base}/api/tickets/${encodeURIComponent(number)}`, signal),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
