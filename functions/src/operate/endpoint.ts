import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { BrokerUnavailableError } from '../broker/connection';
import { BodyTooLargeError, readBodyLimited } from '../http/body';
import { readEndpoint } from '../http/readErrors';
import { jsonError } from '../http/responses';
import { jsonObjectBody } from './requests';
import { UnknownDeadLettersError } from './redrive';

/** Requests to redrive or replay are small: ids or a range. */
const MAX_COMMAND_BYTES = 64 * 1024;

/** The read endpoint's 400 and 503, plus what an operation adds: 404 unknown ids, 413, 503 broker down. */
export function operationEndpoint(work: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  return readEndpoint(async () => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UnknownDeadLettersError) return jsonError(404, error.message, { ids: error.ids });
      if (error instanceof BodyTooLargeError) return jsonError(413, 'Body too large', { limitBytes: error.limit });
      if (error instanceof BrokerUnavailableError) return jsonError(503, 'RabbitMQ unavailable, retry later', {}, { 'Retry-After': '5' });
      throw error;
    }
  });
}

/** The JSON object a POST carries, at most 64 KiB. */
export async function commandBody(request: HttpRequest): Promise<Record<string, unknown>> {
  return jsonObjectBody((await readBodyLimited(request, MAX_COMMAND_BYTES)).toString('utf8'));
}
