import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The `Petzi-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * Both the webhook function (verify) and the simulator (sign) use this module, so the two can
 * never disagree on the format.
 */
export const SIGNATURE_HEADER = 'Petzi-Signature';
const SIGNATURE_SCHEME = 'v1';

export type SignatureFailure = 'missing' | 'malformed' | 'mismatch' | 'too_old' | 'in_future';

const MESSAGES: Record<SignatureFailure, string> = {
  missing: 'Missing Petzi-Signature header',
  malformed: 'Malformed Petzi-Signature header: expected t=<unix seconds>,v1=<hex sha256 hmac>',
  mismatch: 'Invalid signature',
  too_old: 'Signature timestamp is too old',
  in_future: 'Signature timestamp is in the future',
};

/** The one error verification throws; `reason` says which check failed (mapped to 401). */
export class SignatureError extends Error {
  override name = 'SignatureError';
  constructor(readonly reason: SignatureFailure) {
    super(MESSAGES[reason]);
  }
}

export interface ParsedSignature {
  timestamp: number;
  signatures: Buffer[];
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const UNIX_SECONDS = /^\d{1,12}$/;

/** Parses the header; unknown schemes are ignored so a future v2 can be added beside v1. */
export function parseSignatureHeader(header: string | null | undefined): ParsedSignature {
  if (header === null || header === undefined || header.trim() === '') throw new SignatureError('missing');
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new SignatureError('malformed');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !UNIX_SECONDS.test(value)) throw new SignatureError('malformed');
      timestamp = Number(value);
    } else if (key === SIGNATURE_SCHEME) {
      if (!HEX_SHA256.test(value)) throw new SignatureError('malformed');
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === undefined || signatures.length === 0) throw new SignatureError('malformed');
  return { timestamp, signatures };
}

export function computeSignature(secret: string, timestamp: number, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** Builds the header value a PETZI sender would send for these exact body bytes. */
export function signPayload(secret: string, body: Buffer | string, timestamp: number): string {
  return `t=${timestamp},${SIGNATURE_SCHEME}=${computeSignature(secret, timestamp, body).toString('hex')}`;
}

export interface VerifyOptions {
  header: string | null | undefined;
  body: Buffer;
  /** Every secret currently accepted; more than one during a rotation. */
  secrets: readonly string[];
  toleranceSeconds: number;
  /** Current time in milliseconds; injectable so tests need no fake timers. */
  now?: () => number;
}

/** Verifies the raw body against the header; returns the signed timestamp or throws SignatureError. */
export function verifySignature(options: VerifyOptions): { timestamp: number } {
  const { timestamp, signatures } = parseSignatureHeader(options.header);
  // The HMAC is checked before the clock so that a forged request learns nothing about the window.
  let matched = false;
  for (const secret of options.secrets) {
    const expected = computeSignature(secret, timestamp, options.body);
    for (const candidate of signatures) {
      // Evaluate every comparison: stopping early would leak which secret matched through timing.
      if (timingSafeEqual(expected, candidate)) matched = true;
    }
  }
  if (!matched) throw new SignatureError('mismatch');
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  if (timestamp < nowSeconds - options.toleranceSeconds) throw new SignatureError('too_old');
  if (timestamp > nowSeconds + options.toleranceSeconds) throw new SignatureError('in_future');
  return { timestamp };
}
