import type { HttpHandler } from '@azure/functions';
import { json } from '../http/responses';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';
import { errorMessage } from '../core/errors';

async function checkPostgres(deps: Deps): Promise<string | null> {
  try {
    await deps.pool.query('SELECT 1');
    return null;
  } catch (error) {
    return errorMessage(error);
  }
}

/** GET /api/health: 200 when Postgres and RabbitMQ both answer, else 503 naming what is down. */
export function healthHandler(deps: Deps): HttpHandler {
  return async () => {
    const postgresError = await checkPostgres(deps);
    const checks = {
      postgres: postgresError === null ? 'up' : 'down',
      rabbitmq: deps.broker.connected ? 'up' : 'down',
    };
    const down = Object.entries(checks)
      .filter(([, state]) => state === 'down')
      .map(([name]) => name);
    if (down.length === 0) return json(200, { status: 'ok', checks });
    return json(
      503,
      { status: 'degraded', error: `Unavailable: ${down.join(', ')}`, down, checks },
      { 'Retry-After': '5' },
    );
  };
}

export const healthFunction: HttpFunction = {
  kind: 'http',
  name: 'health',
  route: 'api/health',
  methods: ['GET'],
  authLevel: 'function',
  handler: healthHandler,
};

registerFunction(healthFunction);
