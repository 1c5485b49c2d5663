import type { HttpHandler } from '@azure/functions';
import { onlyParams, queryParams } from '../http/query';
import { json } from '../http/responses';
import { commandBody, operationEndpoint } from '../operate/endpoint';
import { replay } from '../operate/replay';
import { replayRequest } from '../operate/requests';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';
import { rebuildTickets } from '../relay/relay';

/**
 * POST /api/replay: stored webhooks of an id or received-at range back through the relay; `rebuild` first recomputes
 * the tickets.
 */
export function replayHandler(deps: Deps): HttpHandler {
  return (request) =>
    operationEndpoint(async () => {
      onlyParams(queryParams(request), []);
      const { range, rebuild } = replayRequest(await commandBody(request));
      const result = await replay(
        {
          pool: deps.pool,
          broker: deps.broker,
          relayQueue: deps.topology.relayQueue,
          metrics: deps.operations,
          rebuildTickets: () => rebuildTickets(deps.pool),
        },
        range,
        { rebuild },
      );
      return json(200, result);
    });
}

export const replayFunction: HttpFunction = {
  kind: 'http',
  name: 'replay',
  route: 'api/replay',
  methods: ['POST'],
  authLevel: 'admin',
  handler: replayHandler,
};

registerFunction(replayFunction);
