import type { HttpHandler } from '@azure/functions';
import { ticketWithHistory } from '../read-api/readModels';
import { onlyParams, queryParams, ticketNumberParam } from '../http/query';
import { json, jsonError, readEndpoint } from '../http/responses';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';

/** GET /api/tickets/{number}: the projection row and every stored webhook of that ticket. */
export function ticketHandler(deps: Deps): HttpHandler {
  return (request) =>
    readEndpoint(async () => {
      onlyParams(queryParams(request), []);
      const number = ticketNumberParam(request.params);
      const found = await ticketWithHistory(deps.pool, number);
      if (!found.ticket && found.webhooks.length === 0) return jsonError(404, `No ticket ${number}`);
      return json(200, found);
    });
}

export const ticketFunction: HttpFunction = {
  kind: 'http',
  name: 'ticket',
  route: 'api/tickets/{number}',
  methods: ['GET'],
  // The raw webhooks carry the buyer: only for a caller with a key.
  authLevel: 'function',
  handler: ticketHandler,
};

registerFunction(ticketFunction);
