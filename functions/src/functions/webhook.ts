import type { HttpHandler, HttpRequest } from '@azure/functions';
import { DatabaseUnavailableError, UnstorableValueError } from '../core/errors';
import { admitWebhook, fail, type RequestFacts } from '../ingest/admission';
import { startDelivery, type DeliveryRecord, type Outcome } from '../ingest/delivery';
import { json, jsonError } from '../http/responses';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';

// The door's depth limit, where the tests of this door read it.
export { MAX_JSON_DEPTH, nestsDeeperThan } from '../ingest/admission';

/** POST /webhook: verify the raw body, validate, store (commit), reply; the publish follows. */
export function webhookHandler(deps: Deps): HttpHandler {
  const rules = { ...deps.config, now: deps.now };
  const trace = {
    metrics: deps.metrics,
    record: (record: DeliveryRecord) => deps.attempts.record(record),
    now: deps.now,
  };

  async function handle(request: HttpRequest, facts: RequestFacts): Promise<Outcome> {
    const admission = await admitWebhook(request, rules, facts);
    if (!('admitted' in admission)) return admission;
    try {
      const result = await deps.ingest.ingest(admission.admitted);
      return { status: result.status, webhookId: result.id, response: json(200, result) };
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) {
        deps.log.warn(`webhook refused, database unavailable: ${error.message}`);
        return fail(
          'database_unavailable',
          jsonError(503, 'Storage unavailable, retry later', {}, { 'Retry-After': '5' }),
        );
      }
      if (error instanceof UnstorableValueError)
        return fail(
          'unstorable',
          jsonError(422, 'Payload contains values that cannot be stored', { detail: error.message }),
        );
      throw error;
    }
  }

  return async (request) => {
    const delivery = startDelivery(request, trace);
    return delivery.finish(await handle(request, delivery.facts).catch(delivery.crashed));
  };
}

export const webhookFunction: HttpFunction = {
  kind: 'http',
  name: 'webhook',
  route: 'webhook',
  // Every method is routed here so that the wrong one gets a 405 rather than the host's 404.
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
  // PETZI sends no key: the signature is this door's authentication.
  authLevel: 'anonymous',
  handler: webhookHandler,
};

registerFunction(webhookFunction);
