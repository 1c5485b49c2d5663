import { HttpRequest, type LogHandler } from '@azure/functions';
import type { IncomingMessage } from 'node:http';
import { format } from 'node:util';
import type { Logger } from '../../functions/src';
import type { RequestTarget } from '../../kit/src';

/**
 * What the host hands a function besides its trigger's input, built with the library's public
 * constructors only, as the Azure worker builds them: the InvocationContext's log handler and,
 * for an http trigger, the HttpRequest (host/test/invocation.test.ts pins what the host relies on).
 */

/** Routes `context.log` and friends to the host's logger, prefixed with the function name. */
export function contextLog(log: Logger, functionName: string): LogHandler {
  return (level, ...args) => {
    const line = `[${functionName}] ${format(...args)}`;
    if (level === 'error' || level === 'critical') log.error(line);
    else if (level === 'warning') log.warn(line);
    else if (level !== 'trace' && level !== 'debug') log.info(line);
  };
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Appends the peer's address to X-Forwarded-For, as the Azure front end does: functions learn who called. */
function forwardedFor(headers: Record<string, string>, peer: string | undefined): Record<string, string> {
  if (!peer) return headers;
  const chain = headers['x-forwarded-for'];
  return { ...headers, 'x-forwarded-for': chain ? `${chain}, ${peer}` : peer };
}

/**
 * The library's HttpRequest over a body the host has already read and size-checked, through the
 * public HttpRequestInit (the same path as the worker's non-streaming mode): the library copies the
 * bytes into a Fetch Request, which the function reads once (`arrayBuffer()`, or `body` as a stream).
 */
export function functionRequest(
  req: IncomingMessage,
  target: RequestTarget,
  body: Buffer,
  params: Record<string, string>,
): HttpRequest {
  const query: Record<string, string> = {};
  target.query.forEach((value, key) => {
    if (!(key in query)) query[key] = value;
  });
  const method = req.method ?? 'GET';
  return new HttpRequest({
    // The Host header is the client's to spell; the URL the function sees must always parse.
    url: `http://localhost${target.pathname}${target.search}`,
    method,
    headers: forwardedFor(headersOf(req), req.socket.remoteAddress),
    // A GET or HEAD body is not handed over: a Request cannot have one (the library drops it with
    // a console warning per request, a free way for any client to flood the log).
    body: body.length > 0 && method !== 'GET' && method !== 'HEAD' ? { bytes: body } : undefined,
    query,
    params,
  });
}
