import type { HttpHandler } from '@azure/functions';
import { queryParams } from '../http/query';
import { json, readEndpoint } from '../http/responses';
import { deadLetterPage } from '../operate/deadLettersSql';
import { deadLettersQuery, nextCursor } from '../operate/requests';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';

/** GET /api/dead-letters: what the relay gave up on, newest first, with how many are waiting. */
export function deadLettersHandler(deps: Deps): HttpHandler {
  return (request) =>
    readEndpoint(async () => {
      const { state, limit, beforeId } = deadLettersQuery(queryParams(request));
      const { items, waiting } = await deadLetterPage(deps.pool, state, limit, beforeId);
      return json(200, { items, nextCursor: nextCursor('dead-letters', items, limit), waiting });
    });
}

export const deadLettersFunction: HttpFunction = {
  kind: 'http',
  name: 'deadLetters',
  route: 'api/dead-letters',
  methods: ['GET'],
  authLevel: 'function',
  handler: deadLettersHandler,
};

registerFunction(deadLettersFunction);
