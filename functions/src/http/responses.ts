import type { HttpResponseInit } from '@azure/functions';

/** Every error the functions return: a JSON object whose `error` says what went wrong. */
export function jsonError(status: number, error: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: { error, ...extra }, headers: { 'Cache-Control': 'no-store', ...headers } };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'Cache-Control': 'no-store', ...headers } };
}
