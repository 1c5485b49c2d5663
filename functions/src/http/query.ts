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

export function intParam(
  query: URLSearchParams,
  name: string,
  range: { min: number; max: number },
  fallback?: number,
): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw))
    throw new QueryParamError(name, `${name} must be an integer between ${range.min} and ${range.max}`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new QueryParamError(name, `${name} must be an integer between ${range.min} and ${range.max}`);
  }
  return value;
}

/**
 * The query parameters as the request's URL carries them, repeats included: the local host's
 * `request.query` keeps only the first value of a name, which would let `?limit=5&limit=x` pass.
 */
export function queryParams(request: { url: string }): URLSearchParams {
  return new URL(request.url).searchParams;
}

/**
 * Rejects parameters the endpoint does not know, so a typo is not silently ignored, and a known
 * one given twice, which no reader can tell apart from a mistake (which of the two was meant?).
 */
export function onlyParams(query: URLSearchParams, allowed: readonly string[]): void {
  const seen = new Set<string>();
  for (const key of query.keys()) {
    // `code` is Azure's function-key parameter: the host checked it, the function ignores it.
    if (key === KEY_PARAM) continue;
    if (!allowed.includes(key))
      throw new QueryParamError(key, `unknown query parameter "${key}"; allowed: ${allowed.join(', ') || 'none'}`);
    if (seen.has(key)) throw new QueryParamError(key, `${key} is given more than once; give it once`);
    seen.add(key);
  }
}

/**
 * The `{number}` route parameter of the ticket routes: 1 to 200 characters, without U+0000 (Postgres text cannot hold
 * it), else a 400.
 */
export function ticketNumberParam(params: Record<string, string>): string {
  const number = params.number ?? '';
  if (number.length === 0 || number.length > 200 || number.includes('\u0000'))
    throw new QueryParamError('number', 'ticket number must be 1 to 200 characters');
  return number;
}

/** One of a fixed set of words. */
export function enumParam<T extends string>(query: URLSearchParams, name: string, values: readonly T[], fallback: T): T;
export function enumParam<T extends string>(query: URLSearchParams, name: string, values: readonly T[]): T | undefined;
export function enumParam<T extends string>(
  query: URLSearchParams,
  name: string,
  values: readonly T[],
  fallback?: T,
): T | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw))
    throw new QueryParamError(name, `${name} must be one of: ${values.join(', ')}`);
  return raw as T;
}

/** Free text, trimmed, at most `maxLength` characters, without control characters. */
export function textParam(query: URLSearchParams, name: string, maxLength: number): string | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const value = raw.trim();
  if (value === '') return undefined;
  // eslint-disable-next-line no-control-regex
  if (value.length > maxLength || /[\u0000-\u001f\u007f]/.test(value))
    throw new QueryParamError(name, `${name} must be text of at most ${maxLength} characters`);
  return value;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;
/** The largest offset Postgres reads in a timestamptz, in hours. */
const MAX_OFFSET_HOURS = 15;

/**
 * An ISO 8601 instant with its offset (2026-11-30T20:00:00+01:00), read as Postgres reads a
 * timestamptz, else undefined: a day the month has (Date.parse turns 30 February into 2 March),
 * hours 00-23, minutes and seconds 00-59, an offset of at most ±15:59, a year from 0001 (Postgres
 * has no year 0). Digits past the millisecond round up: every stored time is a whole millisecond,
 * so a `>=` or `<` against the rounded instant answers what it would against the exact one.
 */
export function parseInstant(text: string): Date | undefined {
  const match = INSTANT.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0));
  const [sign, offsetHours, offsetMinutes] = [match[8], Number(match[9] ?? 0), Number(match[10] ?? 0)];
  if (year < 1 || hour > 23 || minute > 59 || second > 59 || offsetHours > MAX_OFFSET_HOURS || offsetMinutes > 59)
    return undefined;
  const at = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0-99 as 1900-1999.
  at.setUTCFullYear(year, month - 1, day);
  // A day the month does not have rolls over into the next month: then it was not a date.
  if (at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day) return undefined;
  const fraction = (match[7] ?? '').padEnd(3, '0');
  const millis = Number(fraction.slice(0, 3)) + (/[1-9]/.test(fraction.slice(3)) ? 1 : 0);
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return new Date(at.getTime() + ((hour * 60 + minute) * 60 + second) * 1000 + millis - offset);
}

/** An ISO 8601 instant with its offset (a time without a zone is ambiguous), as parseInstant reads it. */
export function instantParam(query: URLSearchParams, name: string): Date | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!INSTANT.test(raw))
    throw new QueryParamError(name, `${name} must be an ISO 8601 instant with an offset, e.g. 2026-11-30T20:00:00Z`);
  const at = parseInstant(raw);
  if (!at) {
    throw new QueryParamError(
      name,
      `${name} is not an instant that exists: a day the month has, hours 00-23, minutes and seconds 00-59, an offset up to ±15:59, a year from 0001`,
    );
  }
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
