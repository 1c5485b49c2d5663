import type { HttpHandler } from '@azure/functions';
import { json, jsonError, readEndpoint } from '../http/responses';
import { onlyParams, queryParams } from '../http/query';
import { webhookIdParam } from '../operate/requests';
import { webhookState } from '../operate/webhookState';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';

/** GET /api/webhooks/{id}: a stored webhook and how far it got (published, relayed with its seq, dead-lettered). */
export function webhookStateHandler(deps: Deps): HttpHandler {
  return (request) =>
    readEndpoint(async () => {
      onlyParams(queryParams(request), []);
      const id = webhookIdParam(request.params);
      const webhook = await webhookState(deps.pool, id);
      if (!webhook) return jsonError(404, `No webhook ${id}`);
      return json(200, { webhook });
    });
}

export const webhookStateFunction: HttpFunction = {
  kind: 'http',
  name: 'webhookState',
  route: 'api/webhooks/{id}',
  methods: ['GET'],
  authLevel: 'function',
  handler: webhookStateHandler,
};

registerFunction(webhookStateFunction);
