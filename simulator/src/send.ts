import type { WebhookRequest } from './request';

export type Outcome =
  | { kind: 'response'; status: number; body: string; latencyMs: number }
  | { kind: 'error'; error: string; code: string | undefined; latencyMs: number };

/** Error codes meaning nothing answered at that address at all (as opposed to a broken exchange). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function isUnreachable(outcome: Outcome): boolean {
  return outcome.kind === 'error' && outcome.code !== undefined && UNREACHABLE_CODES.has(outcome.code);
}

/** fetch reports "fetch failed" and hides the useful part in `cause`: dig the code and message out. */
export function describeFetchError(error: unknown): { error: string; code: string | undefined } {
  let current: unknown = error;
  const messages: string[] = [];
  let code: string | undefined;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    if (typeof current === 'object') {
      const record = current as { message?: unknown; code?: unknown; cause?: unknown; name?: unknown };
      if (typeof record.code === 'string' && code === undefined) code = record.code;
      if (record.name === 'AbortError' || record.name === 'TimeoutError') code ??= 'TIMEOUT';
      if (typeof record.message === 'string' && record.message !== '') messages.push(record.message);
      current = record.cause;
    } else {
      messages.push(String(current));
      break;
    }
  }
  return { error: messages.join(': ') || 'request failed', code };
}

export interface Sender {
  send(request: WebhookRequest): Promise<Outcome>;
}

/**
 * Sends with Node's built-in fetch (undici), whose global agent keeps connections alive between
 * requests, so a run reuses its sockets instead of opening one per request.
 */
export function createSender(url: string, timeoutMs: number, clock: () => number = () => performance.now()): Sender {
  return {
    async send(request) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      const started = clock();
      try {
        const response = await fetch(url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: controller.signal,
        });
        // Reading the whole body returns the socket to the keep-alive pool.
        const body = await response.text();
        return { kind: 'response', status: response.status, body, latencyMs: clock() - started };
      } catch (error) {
        const described = describeFetchError(error);
        if (controller.signal.aborted) described.code = 'TIMEOUT';
        return { kind: 'error', ...described, latencyMs: clock() - started };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
