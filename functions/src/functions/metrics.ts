import type { HttpHandler } from '@azure/functions';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';

/** GET /metrics: the Prometheus text format of this process's private registry. */
export function metricsHandler(deps: Deps): HttpHandler {
  return async () => ({
    status: 200,
    headers: { 'Content-Type': deps.registry.contentType, 'Cache-Control': 'no-store' },
    body: await deps.registry.metrics(),
  });
}

export const metricsFunction: HttpFunction = {
  kind: 'http',
  name: 'metrics',
  route: 'metrics',
  methods: ['GET'],
  // Counters only, no buyer data and no secret: Prometheus scrapes it without a key.
  authLevel: 'anonymous',
  handler: metricsHandler,
};

registerFunction(metricsFunction);
