import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { BrokerUnavailableError } from '../broker/connection';
import { QueryParamError } from '../http/query';
import { jsonError, readEndpoint } from '../http/responses';
import { jsonObjectBody } from './requests';
import { UnknownDeadLettersError } from './redrive';

/** Requests to redrive or replay are small: ids or a range. */
const MAX_COMMAND_BYTES = 64 * 1024;

/** The read endpoint's 400 and 503, plus what an operation adds: 404 unknown ids, 503 broker down. */
export function operationEndpoint(work: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  return readEndpoint(async () => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UnknownDeadLettersError) return jsonError(404, error.message, { ids: error.ids });
      if (error instanceof BrokerUnavailableError)
        return jsonError(503, 'RabbitMQ unavailable, retry later', {}, { 'Retry-After': '5' });
      throw error;
    }
  });
}

/**
 * The JSON object a POST carries, at most 64 KiB (the host has already capped it at
 * MAX_BODY_BYTES; a command is a few ids or a range).
 */
export async function commandBody(request: HttpRequest): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_COMMAND_BYTES)
    throw new QueryParamError('body', `body must be at most ${MAX_COMMAND_BYTES} bytes`);
  return jsonObjectBody(text);
}
