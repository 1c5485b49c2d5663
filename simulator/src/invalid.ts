import { SIGNATURE_HEADER } from '../../functions/src';
import { PETZI_HEADERS, signedRequest, type WebhookRequest } from './request';

export interface InvalidContext {
  secret: string;
  /** Unix seconds at the moment the request is built. */
  timestamp: number;
  /** A valid payload, so that each case breaks exactly one thing. */
  validBody: string;
  maxBodyBytes: number;
}

export interface InvalidCase {
  name: string;
  /** What is wrong with the request, for the report. */
  description: string;
  expectedStatus: number;
  build(context: InvalidContext): WebhookRequest;
}

/** Far outside any sensible tolerance window (the default is 300 s). */
const SKEW_SECONDS = 24 * 60 * 60;

function oversized(validBody: string, maxBodyBytes: number): string {
  const size = maxBodyBytes + 1;
  const length = Buffer.byteLength(validBody);
  // Trailing whitespace keeps it valid JSON, so the size is the only thing wrong with it.
  return length <= size ? validBody + ' '.repeat(size - length) : 'x'.repeat(size);
}

/** A correctly signed valid body with one ticket field changed, so that field is the only thing wrong (422). */
function changedTicket(
  name: string,
  description: string,
  change: (ticket: Record<string, unknown>) => void,
): InvalidCase {
  return {
    name,
    description,
    expectedStatus: 422,
    build: ({ validBody, secret, timestamp }) => {
      const body = JSON.parse(validBody) as { details: { ticket: Record<string, unknown> } };
      change(body.details.ticket);
      return signedRequest(JSON.stringify(body), secret, timestamp);
    },
  };
}

/** Every kind of bad request the webhook must refuse, with the status it must refuse it with. */
export const INVALID_CASES: readonly InvalidCase[] = [
  {
    name: 'missing_signature',
    description: `no ${SIGNATURE_HEADER} header`,
    expectedStatus: 401,
    build: ({ validBody }) => ({ method: 'POST', headers: { ...PETZI_HEADERS }, body: validBody }),
  },
  {
    name: 'malformed_signature',
    description: `${SIGNATURE_HEADER} not of the form t=<seconds>,v1=<hex>`,
    expectedStatus: 401,
    build: ({ validBody }) => ({
      method: 'POST',
      headers: { ...PETZI_HEADERS, [SIGNATURE_HEADER]: 't=yesterday,v1=not-hex' },
      body: validBody,
    }),
  },
  {
    name: 'wrong_signature',
    description: 'signed with another secret',
    expectedStatus: 401,
    build: ({ validBody, secret, timestamp }) => signedRequest(validBody, `${secret}-but-wrong`, timestamp),
  },
  {
    name: 'stale_signature',
    description: 'signature timestamp a day old',
    expectedStatus: 401,
    build: ({ validBody, secret, timestamp }) => signedRequest(validBody, secret, timestamp - SKEW_SECONDS),
  },
  {
    name: 'future_signature',
    description: 'signature timestamp a day ahead',
    expectedStatus: 401,
    build: ({ validBody, secret, timestamp }) => signedRequest(validBody, secret, timestamp + SKEW_SECONDS),
  },
  {
    name: 'not_json',
    description: 'correctly signed body that is not JSON',
    expectedStatus: 400,
    build: ({ secret, timestamp }) => signedRequest('{"event": "ticket_created", this is not JSON', secret, timestamp),
  },
  {
    name: 'not_an_object',
    description: 'correctly signed JSON array instead of an object',
    expectedStatus: 400,
    build: ({ secret, timestamp }) => signedRequest('["ticket_created"]', secret, timestamp),
  },
  {
    name: 'schema_violation',
    description: 'correctly signed ticket_created without the required ticket fields',
    expectedStatus: 422,
    build: ({ secret, timestamp }) =>
      signedRequest(
        JSON.stringify({
          event: 'ticket_created',
          details: { ticket: { number: '', eventId: 'not a number', price: { amount: '12.5.0' } }, buyer: {} },
        }),
        secret,
        timestamp,
      ),
  },
  changedTicket(
    'impossible_date',
    'correctly signed ticket whose session date does not exist (2026-02-30)',
    (ticket) => {
      (ticket.sessions as Array<Record<string, unknown>>)[0].date = '2026-02-30';
    },
  ),
  changedTicket(
    'unstorable_value',
    'correctly signed ticket whose title holds a \\u0000, which Postgres cannot store',
    (ticket) => {
      ticket.title = 'NUL \u0000 inside';
    },
  ),
  {
    name: 'wrong_method',
    description: 'GET instead of POST',
    expectedStatus: 405,
    build: () => ({ method: 'GET', headers: { 'User-Agent': PETZI_HEADERS['User-Agent'] as string } }),
  },
  {
    name: 'body_too_large',
    description: 'correctly signed body one byte over MAX_BODY_BYTES',
    expectedStatus: 413,
    build: ({ validBody, maxBodyBytes, secret, timestamp }) =>
      signedRequest(oversized(validBody, maxBodyBytes), secret, timestamp),
  },
];
