import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { createHash } from 'node:crypto';
import { SIGNATURE_HEADER, SignatureError, verifySignature } from '../protocol/signature';
import { checkPayload, isJsonObject } from '../protocol/schema';
import { unstorableJsonProblems } from '../protocol/storableJson';
import { jsonError } from '../http/responses';
import { BodyTooLargeError, readBodyLimited } from './body';
import type { IngestRequest } from './ingest';

/** A request turned away: `reason` is its metrics label and delivery-log outcome, `response` its reply. */
export interface Refusal {
  status: 'error';
  reason: string;
  response: HttpResponseInit;
}

export function fail(reason: string, response: HttpResponseInit): Refusal {
  return { status: 'error', reason, response };
}

/** What the delivery log keeps of a request, filled in as the checks pass. */
export interface RequestFacts {
  bodyBytes?: number;
  bodySha256?: string;
  signatureTimestamp?: number;
}

/** The door's rules: the body limit, the accepted secrets and the signature's time window. */
export interface AdmissionRules {
  maxBodyBytes: number;
  secrets: readonly string[];
  toleranceSeconds: number;
  now: () => number;
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

/**
 * POST /webhook's checks, in order: the method, the size (the body is read once), the signature
 * over the raw bytes, the depth, JSON, an object, values Postgres can store, the PETZI schema.
 * The admitted request carries the body as text and its hash, each computed once, for the store.
 */
export async function admitWebhook(
  request: HttpRequest,
  rules: AdmissionRules,
  facts: RequestFacts,
): Promise<{ admitted: IngestRequest } | Refusal> {
  if (request.method !== 'POST') {
    return fail(
      'method_not_allowed',
      jsonError(405, 'Method not allowed: use POST', { allow: ['POST'] }, { Allow: 'POST' }),
    );
  }
  let body: Buffer;
  try {
    body = await readBodyLimited(request, rules.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return fail(
        'payload_too_large',
        jsonError(413, 'Payload too large', { limitBytes: error.limit }, { Connection: 'close' }),
      );
    }
    return fail('body_unreadable', jsonError(400, 'Request body could not be read'));
  }
  // Hashed once: the delivery log keeps it for every body read, the store dedupes on it.
  const bodySha256 = createHash('sha256').update(body).digest('hex');
  facts.bodyBytes = body.length;
  facts.bodySha256 = bodySha256;

  let timestamp: number;
  try {
    ({ timestamp } = verifySignature({
      header: request.headers.get(SIGNATURE_HEADER),
      body,
      secrets: rules.secrets,
      toleranceSeconds: rules.toleranceSeconds,
      now: rules.now,
    }));
  } catch (error) {
    if (error instanceof SignatureError)
      return fail(`signature_${error.reason}`, jsonError(401, error.message, { reason: error.reason }));
    throw error;
  }
  facts.signatureTimestamp = timestamp;

  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    return fail(
      'too_deep',
      jsonError(400, `Body nests deeper than ${MAX_JSON_DEPTH} levels`, { limit: MAX_JSON_DEPTH }),
    );
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
  if (unstorable.length > 0)
    return fail('unstorable', jsonError(422, 'Payload contains values that cannot be stored', { fields: unstorable }));

  const check = checkPayload(parsed);
  if (check.kind === 'invalid') {
    return fail(
      'schema',
      jsonError(422, 'Payload does not match the PETZI webhook schema', { event: check.event, fields: check.problems }),
    );
  }
  return { admitted: { eventType: check.event, bodySha256, signatureTimestamp: timestamp, rawBody: text } };
}
