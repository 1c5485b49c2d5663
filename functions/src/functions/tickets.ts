import type { HttpHandler } from '@azure/functions';
import { intParam, onlyParams, ticketNumberParam } from '../http/query';
import { readEndpoint } from '../http/readErrors';
import { json, jsonError } from '../http/responses';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';
import { listTickets, ticketWithHistory } from '../storage/readModels';

/** GET /api/tickets?limit=&before=: the projection, newest first, one page at a time. */
export function ticketsHandler(deps: Deps): HttpHandler {
  return (request) =>
    readEndpoint(async () => {
      onlyParams(request.query, ['limit', 'before']);
      const limit = intParam(request.query, 'limit', { min: 1, max: 500 }, 50)!;
      const before = intParam(request.query, 'before', { min: 1, max: Number.MAX_SAFE_INTEGER });
      const items = await listTickets(deps.pool, limit, before);
      return json(200, { items, nextBefore: items.length === limit ? items[items.length - 1].webhookId : null });
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
