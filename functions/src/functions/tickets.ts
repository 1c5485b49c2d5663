import type { HttpHandler, HttpRequest } from '@azure/functions';
import { csvLine } from '../read-api/csv';
import { cursorParam, encodeCursor, enumParam, instantParam, intParam, onlyParams, QueryParamError, textParam, ticketNumberParam } from '../http/query';
import { json, jsonError, readEndpoint } from '../http/responses';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';
import { cursorAfter, listTickets, ticketWithHistory, TICKET_SORTS, type TicketCursor, type TicketFilter, type TicketSort } from '../read-api/readModels';
import type { TicketRow } from '../protocol/ticket';

const LIST_PARAMS = ['limit', 'before', 'cursor', 'sort', 'event', 'category', 'status', 'q', 'from', 'to', 'format'];
/** A CSV export stops here; the response says so in Petzi-Export-Truncated. */
const EXPORT_MAX_ROWS = 100_000;
const EXPORT_PAGE = 2_000;

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

/** The cursor's parts checked against the sort they are for; anything else is a 400. */
function cursorOf(query: URLSearchParams, sort: TicketSort): TicketCursor | undefined {
  const before = intParam(query, 'before', { min: 1, max: Number.MAX_SAFE_INTEGER });
  const parts = cursorParam(query, 'cursor');
  if (before !== undefined) {
    if (parts || sort !== 'updated') throw new QueryParamError('before', 'before pages the default order only; use cursor');
    return { sort, webhookId: before };
  }
  if (!parts) return undefined;
  const bad = new QueryParamError('cursor', 'cursor does not belong to this sort order; start again without it');
  if (parts[0] !== sort) throw bad;
  if (sort === 'updated') {
    if (parts.length !== 2 || !Number.isSafeInteger(parts[1]) || (parts[1] as number) < 1) throw bad;
    return { sort, webhookId: parts[1] as number };
  }
  const [, key, number] = parts;
  if (parts.length !== 3 || typeof key !== 'string' || typeof number !== 'string' || key.length > 64 || number.length > 200) throw bad;
  if ((sort === 'sold' || sort === '-sold') && Number.isNaN(Date.parse(key))) throw bad;
  if ((sort === 'price' || sort === '-price') && !/^-?\d{1,10}(\.\d{1,2})?$/.test(key)) throw bad;
  return { sort, key, number };
}

function encode(cursor: TicketCursor): string {
  return encodeCursor(cursor.sort === 'updated' ? [cursor.sort, cursor.webhookId] : [cursor.sort, cursor.key, cursor.number]);
}

const CSV_HEADER = [
  'ticket',
  'sold_at',
  'updated_at',
  'event_id',
  'event',
  'session_date',
  'venue',
  'city',
  'title',
  'category',
  'type',
  'price',
  'currency',
  'status',
  'cancellation_reason',
];

/** A row for the export: the ticket, never its buyer. */
function csvRow(t: TicketRow): string {
  return csvLine([
    t.number,
    t.firstSeenAt,
    t.updatedAt,
    t.eventId,
    t.event,
    t.sessionDate,
    t.venue,
    t.city,
    t.title,
    t.category,
    t.type,
    t.price.amount,
    t.price.currency,
    t.status,
    t.cancellationReason,
  ]);
}

async function exportCsv(deps: Deps, filter: TicketFilter, sort: TicketSort) {
  let body = csvLine(CSV_HEADER);
  let cursor: TicketCursor | undefined;
  let count = 0;
  let truncated = false;
  for (;;) {
    const page = await listTickets(deps.pool, { limit: EXPORT_PAGE, filter, sort, cursor });
    for (const row of page) body += csvRow(row);
    count += page.length;
    if (page.length < EXPORT_PAGE) break;
    if (count >= EXPORT_MAX_ROWS) {
      truncated = true;
      break;
    }
    cursor = cursorAfter(page[page.length - 1], sort);
  }
  return {
    status: 200,
    body,
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="tickets.csv"',
      'Cache-Control': 'no-store',
      'Petzi-Export-Truncated': String(truncated),
    },
  };
}

/**
 * GET /api/tickets: the projection filtered (event, category, status, q, from/to on the sale
 * time), sorted (sort), one page at a time (cursor = the previous page's nextCursor; before =
 * a webhook id, the older form of it for the default order); format=csv exports every match.
 */
export function ticketsHandler(deps: Deps): HttpHandler {
  return (request: HttpRequest) =>
    readEndpoint(async () => {
      const query = request.query;
      onlyParams(query, LIST_PARAMS);
      const format = enumParam(query, 'format', ['json', 'csv'] as const, 'json');
      const sort = enumParam(query, 'sort', TICKET_SORTS, 'updated');
      const filter = filterOf(query);
      const limit = intParam(query, 'limit', { min: 1, max: 500 }, 50)!;
      const cursor = cursorOf(query, sort);
      if (format === 'csv') {
        if (cursor || query.has('limit')) throw new QueryParamError(cursor ? 'cursor' : 'limit', 'a CSV export has every matching ticket: no paging');
        return exportCsv(deps, filter, sort);
      }
      // One row more than asked says whether another page exists: no empty last page.
      const rows = await listTickets(deps.pool, { limit: limit + 1, filter, sort, cursor });
      const items = rows.slice(0, limit);
      const more = rows.length > limit;
      const last = items[items.length - 1];
      return json(200, {
        items,
        nextCursor: more ? encode(cursorAfter(last, sort)) : null,
        nextBefore: more && sort === 'updated' ? last.webhookId : null,
      });
    });
}

/** GET /api/tickets/{number}: the projection row and every stored webhook of that ticket. */
export function ticketHandler(deps: Deps): HttpHandler {
  return (request) =>
    readEndpoint(async () => {
      onlyParams(request.query, []);
      const number = ticketNumberParam(request.params);
      const found = await ticketWithHistory(deps.pool, number);
      if (!found.ticket && found.webhooks.length === 0) return jsonError(404, `No ticket ${number}`);
      return json(200, found);
    });
}

export const ticketsFunction: HttpFunction = {
  kind: 'http',
  name: 'tickets',
  route: 'api/tickets',
  methods: ['GET'],
  authLevel: 'function',
  handler: ticketsHandler,
};

export const ticketFunction: HttpFunction = {
  kind: 'http',
  name: 'ticket',
  route: 'api/tickets/{number}',
  methods: ['GET'],
  // The raw webhooks carry the buyer: only for a caller with a key.
  authLevel: 'function',
  handler: ticketHandler,
};

registerFunction(ticketsFunction);
registerFunction(ticketFunction);
