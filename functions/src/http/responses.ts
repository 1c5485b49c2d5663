import type { HttpResponseInit } from '@azure/functions';
import { DatabaseUnavailableError } from '../core/errors';
import { QueryParamError } from './query';

/** Every error the functions return: a JSON object whose `error` says what went wrong. */
export function jsonError(
  status: number,
  error: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): HttpResponseInit {
  return { status, jsonBody: { error, ...extra }, headers: { 'Cache-Control': 'no-store', ...headers } };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'Cache-Control': 'no-store', ...headers } };
}

/** The two failures a read endpoint expects: a bad parameter (400) and a database outage (503). */
export async function readEndpoint(work: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof QueryParamError) return jsonError(400, error.message, { param: error.param });
    if (error instanceof DatabaseUnavailableError)
      return jsonError(503, 'Storage unavailable, retry later', {}, { 'Retry-After': '5' });
    throw error;
  }
}
