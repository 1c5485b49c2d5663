import type { HttpHandler } from '@azure/functions';
import { onlyParams, queryParams } from '../http/query';
import { json } from '../http/responses';
import { commandBody, operationEndpoint } from '../operate/endpoint';
import { redrive } from '../operate/redrive';
import { redriveRequest } from '../operate/requests';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';

/** POST /api/dead-letters/redrive: { "ids": [...] } or { "all": true } back onto the relay queue, from Postgres. */
export function redriveHandler(deps: Deps): HttpHandler {
  return (request) =>
    operationEndpoint(async () => {
      onlyParams(queryParams(request), []);
      const command = redriveRequest(await commandBody(request));
      const result = await redrive(
        { pool: deps.pool, broker: deps.broker, relayQueue: deps.topology.relayQueue, metrics: deps.operations },
        command,
      );
      return json(200, result);
    });
}

export const redriveFunction: HttpFunction = {
  kind: 'http',
  name: 'redrive',
  route: 'api/dead-letters/redrive',
  methods: ['POST'],
  // It changes state: the admin key, as every state-changing route.
  authLevel: 'admin',
  handler: redriveHandler,
};

registerFunction(redriveFunction);
