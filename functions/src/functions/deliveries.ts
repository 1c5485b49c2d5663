import type { HttpHandler } from '@azure/functions';
import { queryParams } from '../http/query';
import { json, readEndpoint } from '../http/responses';
import { listAttempts } from '../operate/attemptsSql';
import { deliveriesQuery, nextCursor } from '../operate/requests';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';

/** GET /api/deliveries: the delivery log, newest first, filtered by outcome, status and time. */
export function deliveriesHandler(deps: Deps): HttpHandler {
  return (request) =>
    readEndpoint(async () => {
      const { filter, limit, beforeId } = deliveriesQuery(queryParams(request));
      const items = await listAttempts(deps.pool, filter, limit, beforeId);
      return json(200, { items, nextCursor: nextCursor('deliveries', items, limit) });
    });
}

export const deliveriesFunction: HttpFunction = {
  kind: 'http',
  name: 'deliveries',
  route: 'api/deliveries',
  methods: ['GET'],
  authLevel: 'function',
  handler: deliveriesHandler,
};

registerFunction(deliveriesFunction);
