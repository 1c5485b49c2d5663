/** A query parameter that is present but unusable; mapped to 400 naming the parameter. */
export class QueryParamError extends Error {
  override name = 'QueryParamError';
  constructor(readonly param: string, message: string) {
    super(message);
  }
}

export function intParam(query: URLSearchParams, name: string, range: { min: number; max: number }, fallback?: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new QueryParamError(name, `${name} must be an integer between ${range.min} and ${range.max}`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new QueryParamError(name, `${name} must be an integer between ${range.min} and ${range.max}`);
  }
  return value;
}

export const KEY_PARAM = 'code';

/** Rejects parameters the endpoint does not know, so a typo is not silently ignored. */
export function onlyParams(query: URLSearchParams, allowed: string[]): void {
  for (const key of query.keys()) {
    // `code` is Azure's function-key parameter: the host checked it, the function ignores it.
    if (key !== KEY_PARAM && !allowed.includes(key)) throw new QueryParamError(key, `unknown query parameter "${key}"; allowed: ${allowed.join(', ') || 'none'}`);
  }
}

/** The `{number}` route parameter of the ticket routes: 1 to 200 characters, else a 400. */
export function ticketNumberParam(params: Record<string, string>): string {
  const number = params.number ?? '';
  if (number.length === 0 || number.length > 200) throw new QueryParamError('number', 'ticket number must be 1 to 200 characters');
  return number;
}
