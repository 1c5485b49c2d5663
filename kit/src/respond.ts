import type { ServerResponse } from 'node:http';
import type { Counter } from 'prom-client';
import { errorMessage } from '../../functions/src';

/**
 * The replies a process writes itself, outside the handlers' own: every one is JSON (sendJson),
 * and a handler that fails unexpectedly becomes one 500 (guard), never the end of the process.
 */

/** Writes a JSON reply, never cached; a response already started can only be cut. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Told once per request a handler failed unexpectedly, with the handler's name. */
export type HandlerFailure = (handler: string, error: unknown) => void;

/** Logs the failure once, naming the handler, and counts it (http_handler_errors_total). */
export function reportFailures(log: (message: string) => void, counter: Counter<'handler'>): HandlerFailure {
  return (handler, error) => {
    counter.inc({ handler });
    log(`${handler} failed: ${errorMessage(error)}`);
  };
}

/**
 * Runs one request's handling so that nothing it throws or rejects can reach the process: the
 * client gets a 500 JSON reply (or a cut connection, when its response had already started)
 * and `onFailure` hears of it once.
 */
export function guard(
  res: ServerResponse,
  handler: string,
  work: () => void | Promise<void>,
  onFailure: HandlerFailure,
): void {
  const fail = (error: unknown) => {
    try {
      onFailure(handler, error);
    } finally {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: 'Internal error' }, { Connection: 'close' });
    }
  };
  try {
    const pending = work();
    if (pending) pending.catch(fail);
  } catch (error) {
    fail(error);
  }
}
