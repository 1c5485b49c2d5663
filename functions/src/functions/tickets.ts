import type { HttpHandler, HttpResponseInit } from '@azure/functions';
import { exportTickets } from '../read-api/csv';
import { ticketListQuery, ticketPage } from '../read-api/ticketList';
import { queryParams } from '../http/query';
import { json, readEndpoint } from '../http/responses';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';

function csvResponse({ csv, truncated }: { csv: string; truncated: boolean }): HttpResponseInit {
  const headers = {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': 'attachment; filename="tickets.csv"',
    'Cache-Control': 'no-store',
  };
  return { status: 200, body: csv, headers: { ...headers, 'Petzi-Export-Truncated': String(truncated) } };
}

/**
 * GET /api/tickets: the projection filtered (event, category, status, q, from/to on the sale
 * time), sorted (sort), one page at a time (cursor = the previous page's nextCursor; before =
 * a webhook id, the older form of it for the default order); format=csv exports every match.
 */
export function ticketsHandler(deps: Deps): HttpHandler {
  return (request) =>
    readEndpoint(async () => {
      const query = ticketListQuery(queryParams(request));
      if (query.format === 'csv') return csvResponse(await exportTickets(deps.pool, query.filter, query.sort));
      return json(200, await ticketPage(deps.pool, query));
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

registerFunction(ticketsFunction);
