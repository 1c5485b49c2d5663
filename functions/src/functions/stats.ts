import type { HttpHandler } from '@azure/functions';
import { onlyParams } from '../http/query';
import { readEndpoint } from '../http/readErrors';
import { json } from '../http/responses';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';
import { ticketStats } from '../storage/readModels';

async function errorsCounted(deps: Deps): Promise<number> {
  const metric = await deps.metrics.requests.get();
  return metric.values.filter((v) => v.labels.status === 'error').reduce((sum, v) => sum + v.value, 0);
}

/** GET /api/stats: the dashboard's KPIs and chart series, plus this host's pipeline counters. */
export function statsHandler(deps: Deps): HttpHandler {
  return (request) =>
    readEndpoint(async () => {
      onlyParams(request.query, []);
      const { webhooksLastMinute, ...stats } = await ticketStats(deps.pool);
      return json(200, {
        ...stats,
        pipeline: {
          webhooksLastMinute,
          webhooksPerSecond: Math.round((webhooksLastMinute / 60) * 100) / 100,
          errorsTotal: await errorsCounted(deps),
        },
        generatedAt: new Date(deps.now()).toISOString(),
      });
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
