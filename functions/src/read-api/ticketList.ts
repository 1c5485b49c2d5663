import type { Pool } from 'pg';
import type { TicketRow } from '../protocol/ticket';
import { unstorableCharacter } from '../protocol/storable';
import {
  cursorParam,
  encodeCursor,
  enumParam,
  instantParam,
  intParam,
  onlyParams,
  parseInstant,
  QueryParamError,
  textParam,
} from '../http/query';
import {
  cursorAfter,
  listTickets,
  TICKET_SORTS,
  type TicketCursor,
  type TicketFilter,
  type TicketSort,
} from './readModels';

/** GET /api/tickets's question: which tickets (filter), in which order (sort), which page, as JSON or CSV. */
export interface TicketListQuery {
  format: 'json' | 'csv';
  sort: TicketSort;
  filter: TicketFilter;
  limit: number;
  cursor?: TicketCursor;
}

const LIST_PARAMS = ['limit', 'before', 'cursor', 'sort', 'event', 'category', 'status', 'q', 'from', 'to', 'format'];
/** A ticket's price key in a cursor: what numeric(12, 2) holds, as the list gives it out. */
const PRICE_KEY = /^-?\d{1,10}(\.\d{1,2})?$/;

/**
 * The parameters of GET /api/tickets, each checked the way Postgres will read it; anything else is a QueryParamError
 * (400).
 */
export function ticketListQuery(query: URLSearchParams): TicketListQuery {
  onlyParams(query, LIST_PARAMS);
  const format = enumParam(query, 'format', ['json', 'csv'] as const, 'json');
  const sort = enumParam(query, 'sort', TICKET_SORTS, 'updated');
  const filter = filterOf(query);
  const limit = intParam(query, 'limit', { min: 1, max: 500 }, 50)!;
  const cursor = cursorOf(query, sort);
  if (format === 'csv' && (cursor || query.has('limit'))) {
    throw new QueryParamError(cursor ? 'cursor' : 'limit', 'a CSV export has every matching ticket: no paging');
  }
  return { format, sort, filter, limit, cursor };
}

function filterOf(query: URLSearchParams): TicketFilter {
  const filter: TicketFilter = {
    eventId: intParam(query, 'event', { min: 0, max: 2_147_483_647 }),
    category: textParam(query, 'category', 200),
    status: enumParam(query, 'status', ['valid', 'cancelled'] as const),
    q: textParam(query, 'q', 100),
    from: instantParam(query, 'from'),
    to: instantParam(query, 'to'),
  };
  if (filter.from && filter.to && filter.from >= filter.to) throw new QueryParamError('to', 'to must be after from');
  return filter;
}

/**
 * The cursor's parts checked against the sort they are for, each rewritten into the one form
 * its SQL cast reads (a sale time as ISO 8601 in UTC, a price as a decimal string, a number as
 * text Postgres can hold); anything else is a 400, never a cast that fails in Postgres.
 */
function cursorOf(query: URLSearchParams, sort: TicketSort): TicketCursor | undefined {
  const before = intParam(query, 'before', { min: 1, max: Number.MAX_SAFE_INTEGER });
  const parts = cursorParam(query, 'cursor');
  if (before !== undefined) {
    if (parts || sort !== 'updated')
      throw new QueryParamError('before', 'before pages the default order only; use cursor');
    return { sort, webhookId: before };
  }
  if (!parts) return undefined;
  const bad = new QueryParamError('cursor', 'cursor does not belong to this sort order; start again without it');
  if (parts[0] !== sort) throw bad;
  if (sort === 'updated') {
    const [, webhookId] = parts;
    if (parts.length !== 2 || typeof webhookId !== 'number' || !Number.isSafeInteger(webhookId) || webhookId < 1)
      throw bad;
    return { sort, webhookId };
  }
  const [, key, number] = parts;
  if (
    parts.length !== 3 ||
    typeof key !== 'string' ||
    typeof number !== 'string' ||
    number.length > 200 ||
    unstorableCharacter(number) !== null
  )
    throw bad;
  if (sort === 'sold' || sort === '-sold') {
    const soldAt = parseInstant(key);
    if (!soldAt) throw bad;
    return { sort, key: soldAt.toISOString(), number };
  }
  if ((sort === 'price' || sort === '-price') && !PRICE_KEY.test(key)) throw bad;
  if (key.length > 200 || unstorableCharacter(key) !== null) throw bad;
  return { sort, key, number };
}

export function encodeTicketCursor(cursor: TicketCursor): string {
  return encodeCursor(
    cursor.sort === 'updated' ? [cursor.sort, cursor.webhookId] : [cursor.sort, cursor.key, cursor.number],
  );
}

export interface TicketPage {
  items: TicketRow[];
  /** The next page's `cursor`, or null on the last page. */
  nextCursor: string | null;
  /** The next page's `before` (the default order's older form of the cursor), or null. */
  nextBefore: number | null;
}

/** One page of the list. One row more than asked says whether another page exists: no empty last page. */
export async function ticketPage(
  pool: Pool,
  query: Pick<TicketListQuery, 'limit' | 'filter' | 'sort' | 'cursor'>,
): Promise<TicketPage> {
  const { limit, sort } = query;
  const rows = await listTickets(pool, { limit: limit + 1, filter: query.filter, sort, cursor: query.cursor });
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: more ? encodeTicketCursor(cursorAfter(last, sort)) : null,
    nextBefore: more && sort === 'updated' ? last.webhookId : null,
  };
}
