import { SIGNATURE_HEADER, signPayload } from '../../functions/src';

/** One HTTP request as the simulator will send it. */
export interface WebhookRequest {
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: string;
}

/** The headers every PETZI delivery carries, besides the signature. */
export const PETZI_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json',
  'Petzi-Version': '2',
  'User-Agent': 'PETZI webhook',
};

export function unixSeconds(nowMs: number): number {
  return Math.floor(nowMs / 1000);
}

/** Signs the exact bytes that are sent, as PETZI does, with the protocol module the webhook verifies with. */
export function signedRequest(body: string, secret: string, timestamp: number): WebhookRequest {
  return {
    method: 'POST',
    headers: { ...PETZI_HEADERS, [SIGNATURE_HEADER]: signPayload(secret, body, timestamp) },
    body,
  };
}
