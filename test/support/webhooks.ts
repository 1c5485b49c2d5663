import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { signPayload } from '../../functions/src';
import { TEST_SECRET } from './env';

/** Real sender bodies, byte for byte (see the folder's README). */
const SAMPLES_DIR = path.resolve(__dirname, '..', 'fixtures', 'petzi-samples');

export function sampleBodies(): Array<{ name: string; body: Buffer }> {
  return readdirSync(SAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => ({ name, body: readFileSync(path.join(SAMPLES_DIR, name)) }));
}

export function sample(name: string): Buffer {
  return readFileSync(path.join(SAMPLES_DIR, name));
}

export interface PostOptions {
  secret?: string;
  timestamp?: number;
  headers?: Record<string, string>;
  signature?: string | null;
  method?: string;
}

export interface PostResult {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

/** Sends the exact bytes, signed as PETZI signs them unless told otherwise. */
export async function postWebhook(
  baseUrl: string,
  body: Buffer | string,
  options: PostOptions = {},
): Promise<PostResult> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature =
    options.signature === undefined ? signPayload(options.secret ?? TEST_SECRET, body, timestamp) : options.signature;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Petzi-Version': '2',
    'User-Agent': 'PETZI webhook',
    ...options.headers,
  };
  if (signature !== null) headers['Petzi-Signature'] = signature;
  const response = await fetch(`${baseUrl}/webhook`, {
    method: options.method ?? 'POST',
    headers,
    body: options.method === 'GET' ? undefined : typeof body === 'string' ? body : Uint8Array.from(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { unparsed: text };
  }
  return { status: response.status, headers: response.headers, json };
}

/** A valid ticket_created body with a distinct ticket number, for tests that need many. */
export function ticketBody(n: number, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    event: 'ticket_created',
    details: {
      ticket: {
        number: `TEST${String(n).padStart(8, '0')}`,
        type: 'online_presale',
        title: 'Test Night',
        category: 'Prévente',
        eventId: 1000 + (n % 3),
        event: `Test Event ${n % 3}`,
        cancellationReason: '',
        sessions: [
          {
            name: 'Test Night',
            date: '2026-12-12',
            time: '21:00:00',
            doors: '20:00:00',
            location: { name: 'Case à Chocs', street: 'Quai Philippe-Godet 20', city: 'Neuchâtel', postcode: '2000' },
          },
        ],
        promoter: 'Case à Chocs',
        price: { amount: '25.00', currency: 'CHF' },
        ...overrides,
      },
      buyer: { role: 'customer', firstName: 'Jane', lastName: 'Doe', postcode: '1234' },
    },
  });
}

/** A buyer whose every field is personal data and appears nowhere else in the tests' fixtures. */
export const PRIVATE_BUYER = {
  role: 'customer',
  firstName: 'Zéphyrine',
  lastName: 'Quaglioni',
  email: 'zq.private@example.ch',
  postcode: '9876',
};

/** PRIVATE_BUYER's personal values, to look for wherever they must not be. */
export const PRIVATE_BUYER_VALUES = [
  PRIVATE_BUYER.firstName,
  PRIVATE_BUYER.lastName,
  PRIVATE_BUYER.email,
  PRIVATE_BUYER.postcode,
];
