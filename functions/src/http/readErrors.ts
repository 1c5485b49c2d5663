import type { HttpResponseInit } from '@azure/functions';
import { DatabaseUnavailableError } from '../core/errors';
import { QueryParamError } from './query';
import { jsonError } from './responses';

/** The two failures a read endpoint expects: a bad parameter (400) and a database outage (503). */
export async function readEndpoint(work: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof QueryParamError) return jsonError(400, error.message, { param: error.param });
    if (error instanceof DatabaseUnavailableError) return jsonError(503, 'Storage unavailable, retry later', {}, { 'Retry-After': '5' });
    throw error;
  }
}
