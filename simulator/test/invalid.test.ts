import {
  checkPayload,
  isJsonObject,
  SIGNATURE_HEADER,
  SignatureError,
  verifySignature,
  unstorableJsonProblems,
} from '../../functions/src';
import { INVALID_CASES, type InvalidContext } from '../src/invalid';
import { PayloadGenerator } from '../src/payloads';
import { signedRequest } from '../src/request';

const NOW = 1_800_000_000;
const context: InvalidContext = {
  secret: 's3cret',
  timestamp: NOW,
  validBody: new PayloadGenerator({ seed: 1, mode: 'ticket_created', baseDate: '2027-01-01' }).next().body,
  maxBodyBytes: 4096,
};

function byName(name: string) {
  const found = INVALID_CASES.find((c) => c.name === name);
  if (!found) throw new Error(`no case ${name}`);
  return found.build(context);
}

/** What the webhook's signature check says about a request: null when it passes. */
function signatureFailure(name: string): string | null {
  const request = byName(name);
  try {
    verifySignature({
      header: request.headers[SIGNATURE_HEADER],
      body: Buffer.from(request.body ?? ''),
      secrets: [context.secret],
      toleranceSeconds: 300,
      now: () => NOW * 1000,
    });
    return null;
  } catch (error) {
    if (error instanceof SignatureError) return error.reason;
    throw error;
  }
}

describe('the invalid-request catalogue', () => {
  test('covers each refusal the webhook makes, with its status', () => {
    expect(INVALID_CASES.map((c) => [c.name, c.expectedStatus])).toEqual([
      ['missing_signature', 401],
      ['malformed_signature', 401],
      ['wrong_signature', 401],
      ['stale_signature', 401],
      ['future_signature', 401],
      ['not_json', 400],
      ['not_an_object', 400],
      ['schema_violation', 422],
      ['impossible_date', 422],
      ['unstorable_value', 422],
      ['wrong_method', 405],
      ['body_too_large', 413],
    ]);
  });

  test('the 401 cases fail the real signature check for the reason they are named after', () => {
    expect(signatureFailure('missing_signature')).toBe('missing');
    expect(signatureFailure('malformed_signature')).toBe('malformed');
    expect(signatureFailure('wrong_signature')).toBe('mismatch');
    expect(signatureFailure('stale_signature')).toBe('too_old');
    expect(signatureFailure('future_signature')).toBe('in_future');
  });

  test('the 400 and 422 cases are correctly signed, so only their body is wrong', () => {
    for (const name of [
      'not_json',
      'not_an_object',
      'schema_violation',
      'impossible_date',
      'unstorable_value',
      'body_too_large',
    ]) {
      expect(signatureFailure(name)).toBeNull();
    }
    expect(() => JSON.parse(byName('not_json').body ?? '')).toThrow();
    expect(isJsonObject(JSON.parse(byName('not_an_object').body ?? ''))).toBe(false);
    const schema: unknown = JSON.parse(byName('schema_violation').body ?? '');
    expect(isJsonObject(schema) && checkPayload(schema).kind).toBe('invalid');
    const date: unknown = JSON.parse(byName('impossible_date').body ?? '');
    expect(isJsonObject(date) && checkPayload(date)).toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'details.ticket.sessions.0.date' }],
    });
    expect(unstorableJsonProblems(byName('unstorable_value').body ?? '')).toEqual([
      { path: 'details.ticket.title', message: expect.any(String) },
    ]);
  });

  test('the oversized body is exactly one byte over the limit and otherwise valid JSON', () => {
    const body = byName('body_too_large').body ?? '';
    expect(Buffer.byteLength(body)).toBe(context.maxBodyBytes + 1);
    const parsed: unknown = JSON.parse(body);
    expect(isJsonObject(parsed) && checkPayload(parsed).kind).toBe('ticket');
  });

  test('the oversized body still has the right size when the limit is below a valid payload', () => {
    const tiny = INVALID_CASES.find((c) => c.name === 'body_too_large')?.build({ ...context, maxBodyBytes: 10 });
    expect(Buffer.byteLength(tiny?.body ?? '')).toBe(11);
  });

  test('the 1 MiB default limit gives a 1 MiB + 1 byte body', () => {
    const big = INVALID_CASES.find((c) => c.name === 'body_too_large')?.build({
      ...context,
      maxBodyBytes: 1024 * 1024,
    });
    expect(Buffer.byteLength(big?.body ?? '')).toBe(1024 * 1024 + 1);
  });

  test('the wrong method is a GET without a body', () => {
    expect(byName('wrong_method')).toMatchObject({ method: 'GET' });
    expect(byName('wrong_method').body).toBeUndefined();
  });
});

describe('signedRequest', () => {
  test('carries the PETZI headers and a signature the webhook accepts', () => {
    const request = signedRequest(context.validBody, context.secret, NOW);
    expect(request.headers).toMatchObject({
      'Content-Type': 'application/json',
      'Petzi-Version': '2',
      'User-Agent': 'PETZI webhook',
    });
    expect(
      verifySignature({
        header: request.headers[SIGNATURE_HEADER],
        body: Buffer.from(context.validBody),
        secrets: [context.secret],
        toleranceSeconds: 300,
        now: () => NOW * 1000,
      }),
    ).toEqual({ timestamp: NOW });
  });
});
