import type { HttpHandler } from '@azure/functions';
import { onlyParams, queryParams, ticketNumberParam } from '../http/query';
import { json, jsonError, readEndpoint } from '../http/responses';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';
import { BrokerUnavailableError } from '../broker/connection';
import { eraseBuyerFromQueue, eraseBuyerOfTicket } from '../read-api/buyerErasure';

/**
 * DELETE /api/tickets/{number}/buyer: a buyer's erasure request, by ticket number; the ticket itself
 * stays. Postgres first (the stored webhooks, the dead-letter reasons), then the messages of the
 * ticket in petzi.relay.dlq; a broker outage is a 503 to repeat, which is safe (docs/personal-data.md).
 */
export function eraseBuyerHandler(deps: Deps): HttpHandler {
  return (request) =>
    readEndpoint(async () => {
      onlyParams(queryParams(request), []);
      const number = ticketNumberParam(request.params);
      const { ids, erased, reasons } = await eraseBuyerOfTicket(deps.pool, number);
      let queued: number;
      try {
        queued = await eraseBuyerFromQueue(deps.broker, deps.topology.relayDeadLetterQueue, number, ids);
      } catch (error) {
        if (!(error instanceof BrokerUnavailableError)) throw error;
        return jsonError(
          503,
          `Stored webhooks erased (${erased}), but the dead-letter queue is unreachable: repeat the request`,
          {},
          { 'Retry-After': '5' },
        );
      }
      if (ids.length === 0 && queued === 0) return jsonError(404, `No ticket ${number}`);
      return json(200, {
        ticket: number,
        webhooks: ids.length,
        erased,
        deadLetterReasons: reasons,
        deadLetterQueue: queued,
      });
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
