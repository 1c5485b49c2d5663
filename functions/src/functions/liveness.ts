import type { HttpHandler } from '@azure/functions';
import { json } from '../http/responses';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';

/**
 * GET /healthz: the bare liveness answer anyone may have (the process serves), like the bridge's
 * and the dashboard server's. What is up and what is down is /api/health's, behind the key.
 */
export function livenessHandler(): HttpHandler {
  return async () => json(200, { status: 'ok' });
}

export const livenessFunction: HttpFunction = {
  kind: 'http',
  name: 'liveness',
  route: 'healthz',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: livenessHandler,
};

registerFunction(livenessFunction);
