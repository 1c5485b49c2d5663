import type { HttpHandler } from '@azure/functions';
import { salesRangeQuery, statsReport } from '../read-api/stats';
import { queryParams } from '../http/query';
import { json, readEndpoint } from '../http/responses';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';

/**
 * GET /api/stats: the dashboard's KPIs and chart series, plus this host's pipeline counters.
 * With from and to (and bucket, zone) it adds `sales`, the tickets sold in that range.
 */
export function statsHandler(deps: Deps): HttpHandler {
  return (request) =>
    readEndpoint(async () => {
      const range = salesRangeQuery(queryParams(request));
      return json(200, await statsReport({ pool: deps.pool, requests: deps.metrics.requests, now: deps.now }, range));
    });
}

export const statsFunction: HttpFunction = {
  kind: 'http',
  name: 'stats',
  route: 'api/stats',
  methods: ['GET'],
  authLevel: 'function',
  handler: statsHandler,
};

registerFunction(statsFunction);
