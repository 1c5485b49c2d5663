import {
  cursorParam,
  encodeCursor,
  enumParam,
  instantParam,
  intParam,
  onlyParams,
  QueryParamError,
  textParam,
} from '../http/query';
import type { DeadLetterState } from './deadLettersSql';
import type { AttemptFilter } from './attemptsSql';
import type { RedriveRequest } from './redrive';
import type { ReplayRange } from './replay';

/** The parsing of the operations API's requests: anything unusable is a QueryParamError naming the parameter (400). */

const MAX_ID = Number.MAX_SAFE_INTEGER;
export const MAX_PAGE = 500;
const DEFAULT_PAGE = 100;

function limitOf(query: URLSearchParams): number {
  return intParam(query, 'limit', { min: 1, max: MAX_PAGE }, DEFAULT_PAGE) as number;
}

/** The id-keyed cursor of the newest-first lists: [kind, last id seen]. */
function idCursor(query: URLSearchParams, kind: string): number | undefined {
  const parts = cursorParam(query, 'cursor');
  if (!parts) return undefined;
  const [tag, id] = parts;
  if (parts.length !== 2 || tag !== kind || typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
    throw new QueryParamError('cursor', 'cursor must be a cursor returned by this endpoint (nextCursor)');
  }
  return id;
}

export function nextCursor(kind: string, items: Array<{ id: number }>, limit: number): string | null {
  return items.length < limit ? null : encodeCursor([kind, items[items.length - 1].id]);
}

export interface DeliveriesQuery {
  filter: AttemptFilter;
  limit: number;
  beforeId?: number;
}

export function deliveriesQuery(query: URLSearchParams): DeliveriesQuery {
  onlyParams(query, ['outcome', 'status', 'from', 'to', 'limit', 'cursor']);
  const outcome = textParam(query, 'outcome', 64);
  if (outcome !== undefined && !/^[a-z_]+$/.test(outcome))
    throw new QueryParamError('outcome', 'outcome must be a word such as stored, duplicate or signature_mismatch');
  const filter: AttemptFilter = {
    outcome,
    status: intParam(query, 'status', { min: 100, max: 599 }),
    from: instantParam(query, 'from'),
    to: instantParam(query, 'to'),
  };
  if (filter.from && filter.to && filter.from >= filter.to) throw new QueryParamError('to', 'to must be after from');
  return { filter, limit: limitOf(query), beforeId: idCursor(query, 'deliveries') };
}

export interface DeadLettersQuery {
  state: DeadLetterState;
  limit: number;
  beforeId?: number;
}

export function deadLettersQuery(query: URLSearchParams): DeadLettersQuery {
  onlyParams(query, ['state', 'limit', 'cursor']);
  return {
    state: enumParam(query, 'state', ['waiting', 'redriven', 'all'] as const, 'waiting'),
    limit: limitOf(query),
    beforeId: idCursor(query, 'dead-letters'),
  };
}

/** The `{id}` of /api/webhooks/{id}: a positive integer. */
export function webhookIdParam(params: Record<string, string>): number {
  const raw = params.id ?? '';
  const id = Number(raw);
  if (!/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(id) || id < 1)
    throw new QueryParamError('id', 'id must be a positive integer (a webhook id)');
  return id;
}

/** A JSON object body, else a 400 naming `body`. */
export function jsonObjectBody(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new QueryParamError('body', 'body must be a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new QueryParamError('body', 'body must be a JSON object');
  return value as Record<string, unknown>;
}

function onlyFields(body: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key))
      throw new QueryParamError(key, `unknown field "${key}"; allowed: ${allowed.join(', ')}`);
  }
}

function idField(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw new QueryParamError(name, `${name} must be a positive integer`);
  return value;
}

function instantField(body: Record<string, unknown>, name: string): Date | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new QueryParamError(name, `${name} must be an ISO 8601 instant with an offset, e.g. 2026-11-30T20:00:00Z`);
  return instantParam(new URLSearchParams([[name, value]]), name);
}

const MAX_REDRIVE_IDS = 1_000;

export function redriveRequest(body: Record<string, unknown>): RedriveRequest {
  onlyFields(body, ['ids', 'all']);
  if (body.all !== undefined && body.all !== true)
    throw new QueryParamError('all', 'all must be true, or absent with ids');
  if (body.all === true) {
    if (body.ids !== undefined) throw new QueryParamError('ids', 'give ids or all, not both');
    return { all: true };
  }
  const ids = body.ids;
  if (
    !Array.isArray(ids) ||
    ids.length === 0 ||
    ids.length > MAX_REDRIVE_IDS ||
    !ids.every((id) => typeof id === 'number' && Number.isSafeInteger(id) && id >= 1 && id <= MAX_ID)
  ) {
    throw new QueryParamError(
      'ids',
      `ids must be a list of 1 to ${MAX_REDRIVE_IDS} dead letter ids (positive integers), or send { "all": true }`,
    );
  }
  return { ids: ids as number[] };
}

export function replayRequest(body: Record<string, unknown>): { range: ReplayRange; rebuild: boolean } {
  onlyFields(body, ['fromId', 'toId', 'from', 'to', 'rebuild']);
  const range: ReplayRange = {
    fromId: idField(body, 'fromId'),
    toId: idField(body, 'toId'),
    from: instantField(body, 'from'),
    to: instantField(body, 'to'),
  };
  if (range.fromId !== undefined && range.toId !== undefined && range.fromId > range.toId)
    throw new QueryParamError('toId', 'toId must not be below fromId');
  if (range.from && range.to && range.from >= range.to) throw new QueryParamError('to', 'to must be after from');
  if (body.rebuild !== undefined && typeof body.rebuild !== 'boolean')
    throw new QueryParamError('rebuild', 'rebuild must be true or false');
  return { range, rebuild: body.rebuild === true };
}
