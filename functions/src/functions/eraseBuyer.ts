import type { HttpHandler } from '@azure/functions';
import { onlyParams, queryParams, ticketNumberParam } from '../http/query';
import { json, jsonError, readEndpoint } from '../http/responses';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';
import { eraseBuyerOfTicket } from '../read-api/buyerErasure';

/** DELETE /api/tickets/{number}/buyer: a buyer's erasure request, by ticket number; the ticket itself stays. */
export function eraseBuyerHandler(deps: Deps): HttpHandler {
  return (request) =>
    readEndpoint(async () => {
      onlyParams(queryParams(request), []);
      const number = ticketNumberParam(request.params);
      const { webhooks, erased } = await eraseBuyerOfTicket(deps.pool, number);
      if (webhooks === 0) return jsonError(404, `No ticket ${number}`);
      return json(200, { ticket: number, webhooks, erased });
    });
}

export const eraseBuyerFunction: HttpFunction = {
  kind: 'http',
  name: 'eraseBuyer',
  route: 'api/tickets/{number}/buyer',
  methods: ['DELETE'],
  // It changes stored data: the admin key, as every state-changing route.
  authLevel: 'admin',
  handler: eraseBuyerHandler,
};

registerFunction(eraseBuyerFunction);
