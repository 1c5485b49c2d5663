import { KEY_PARAM } from './access';
/** A query parameter that is present but unusable; mapped to 400 naming the parameter. */
export class QueryParamError extends Error {
  override name = 'QueryParamError';
  constructor(
    readonly param: string,
    message: string,
  ) {
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

/** One of a fixed set of words. */
export function enumParam<T extends string>(query: URLSearchParams, name: string, values: readonly T[], fallback: T): T;
export function enumParam<T extends string>(query: URLSearchParams, name: string, values: readonly T[]): T | undefined;
export function enumParam<T extends string>(query: URLSearchParams, name: string, values: readonly T[], fallback?: T): T | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new QueryParamError(name, `${name} must be one of: ${values.join(', ')}`);
  return raw as T;
}

/** Free text, trimmed, at most `maxLength` characters, without control characters. */
export function textParam(query: URLSearchParams, name: string, maxLength: number): string | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const value = raw.trim();
  if (value === '') return undefined;
  // eslint-disable-next-line no-control-regex
  if (value.length > maxLength || /[\u0000-\u001f\u007f]/.test(value)) throw new QueryParamError(name, `${name} must be text of at most ${maxLength} characters`);
  return value;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 instant with its offset (2026-11-30T20:00:00+01:00): a time without a zone is ambiguous. */
export function instantParam(query: URLSearchParams, name: string): Date | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const at = new Date(raw);
  if (!INSTANT.test(raw) || Number.isNaN(at.getTime())) throw new QueryParamError(name, `${name} must be an ISO 8601 instant with an offset, e.g. 2026-11-30T20:00:00Z`);
  return at;
}

/** The opaque paging cursor: base64url of a JSON array the endpoint gave out itself. */
export function encodeCursor(parts: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function cursorParam(query: URLSearchParams, name: string): unknown[] | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const invalid = new QueryParamError(name, `${name} must be a cursor returned by this endpoint (nextCursor)`);
  if (raw.length > 500 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw invalid;
  try {
    const parts: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (!Array.isArray(parts)) throw invalid;
    return parts;
  } catch {
    throw invalid;
  }
}
