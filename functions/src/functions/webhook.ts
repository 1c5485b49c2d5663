import type { HttpHandler, HttpResponseInit } from '@azure/functions';
import { createHash } from 'node:crypto';
import { BodyTooLargeError, readBodyLimited } from '../ingest/body';
import { jsonError, json } from '../http/responses';
import { SIGNATURE_HEADER, SignatureError, verifySignature } from '../protocol/signature';
import { checkPayload, isJsonObject } from '../protocol/schema';
import { unstorableJsonProblems } from '../protocol/storableJson';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';
import type { IngestResult } from '../ingest/ingest';
import { DatabaseUnavailableError, UnstorableValueError } from '../core/errors';

/** Outcome of one request before it becomes a response; `reason` feeds the metrics label. */
type Outcome = { status: 'success' | 'duplicate'; response: HttpResponseInit } | { status: 'error'; reason: string; response: HttpResponseInit };

function fail(reason: string, response: HttpResponseInit): Outcome {
  return { status: 'error', reason, response };
}

/**
 * Deepest JSON nesting accepted. PETZI bodies nest 5 levels; JSON.parse copes with any depth, but
 * JSON.stringify overflows the stack past a few thousand levels and Postgres's jsonb parser past
 * ~10,000 (54001, stack depth limit exceeded): either failed the whole group-commit batch,
 * innocent requests included, with a 500.
 */
export const MAX_JSON_DEPTH = 256;

/** True when the raw JSON text nests deeper than `limit`; one pass over the bytes, no recursion. */
export function nestsDeeperThan(body: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i += 1) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x7b || byte === 0x5b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (byte === 0x7d || byte === 0x5d) {
      depth -= 1;
    }
  }
  return false;
}

/** POST /webhook: verify the raw body, validate, store (commit), reply; the publish follows. */
export function webhookHandler(deps: Deps): HttpHandler {
  const { config, metrics } = deps;
  return async (request) => {
    const stopTimer = metrics.processingSeconds.startTimer();
    const receivedAt = new Date(deps.now());
    // What the delivery log keeps of this request, filled in as the checks pass.
    const seen: { bodyBytes?: number; bodySha256?: string; signatureTimestamp?: number } = {};
    const outcome = await handle().catch((error: unknown) => {
      // The guard answers 500; the delivery log still says the request came.
      record({ status: 'error', reason: 'internal_error', response: { status: 500 } });
      throw error;
    });
    metrics.requests.inc(outcome.status === 'error' ? { status: 'error', reason: outcome.reason } : { status: outcome.status, reason: '' });
    stopTimer({ status: outcome.status });
    record(outcome);
    return outcome.response;

    function record(done: Outcome): void {
      deps.attempts.record({
        receivedAt,
        outcome: done.status === 'error' ? done.reason : done.status === 'success' ? 'stored' : 'duplicate',
        status: done.response.status ?? 200,
        ...seen,
        declaredBytes: request.headers.get('content-length'),
        webhookId: done.status === 'error' ? null : (done.response.jsonBody as IngestResult).id,
        forwardedFor: request.headers.get('x-forwarded-for'),
      });
    }

    async function handle(): Promise<Outcome> {
      if (request.method !== 'POST') {
        return fail('method_not_allowed', jsonError(405, 'Method not allowed: use POST', { allow: ['POST'] }, { Allow: 'POST' }));
      }
      let body: Buffer;
      try {
        body = await readBodyLimited(request, config.maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          return fail('payload_too_large', jsonError(413, 'Payload too large', { limitBytes: error.limit }, { Connection: 'close' }));
        }
        return fail('body_unreadable', jsonError(400, 'Request body could not be read'));
      }
      metrics.payloadBytes.inc(body.length);
      // Hashed once: the delivery log keeps it for every body read, the store dedupes on it.
      const bodySha256 = createHash('sha256').update(body).digest('hex');
      seen.bodyBytes = body.length;
      seen.bodySha256 = bodySha256;

      let timestamp: number;
      try {
        ({ timestamp } = verifySignature({
          header: request.headers.get(SIGNATURE_HEADER),
          body,
          secrets: config.secrets,
          toleranceSeconds: config.toleranceSeconds,
          now: deps.now,
        }));
      } catch (error) {
        if (error instanceof SignatureError) {
          return fail(`signature_${error.reason}`, jsonError(401, error.message, { reason: error.reason }));
        }
        throw error;
      }

      seen.signatureTimestamp = timestamp;
      if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
        return fail('too_deep', jsonError(400, `Body nests deeper than ${MAX_JSON_DEPTH} levels`, { limit: MAX_JSON_DEPTH }));
      }
      const text = body.toString('utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return fail('invalid_json', jsonError(400, 'Body is not valid JSON'));
      }
      if (!isJsonObject(parsed)) return fail('not_an_object', jsonError(400, 'Body must be a JSON object'));

      // Every body is stored as jsonb, unknown events included: what jsonb refuses is refused here,
      // not by a group commit it would share with other requests.
      const unstorable = unstorableJsonProblems(text);
      if (unstorable.length > 0) {
        return fail('unstorable', jsonError(422, 'Payload contains values that cannot be stored', { fields: unstorable }));
      }

      const check = checkPayload(parsed);
      if (check.kind === 'invalid') {
        return fail(
          'schema',
          jsonError(422, 'Payload does not match the PETZI webhook schema', {
            event: check.event,
            fields: check.problems,
          }),
        );
      }

      try {
        const result = await deps.ingest.ingest({
          eventType: check.event,
          bodySha256,
          signatureTimestamp: timestamp,
          rawBody: text,
        });
        return { status: result.status, response: json(200, result) };
      } catch (error) {
        if (error instanceof DatabaseUnavailableError) {
          deps.log.warn(`webhook refused, database unavailable: ${error.message}`);
          return fail('database_unavailable', jsonError(503, 'Storage unavailable, retry later', {}, { 'Retry-After': '5' }));
        }
        if (error instanceof UnstorableValueError) {
          return fail('unstorable', jsonError(422, 'Payload contains values that cannot be stored', { detail: error.message }));
        }
        throw error;
      }
    }
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
