import type { IncomingMessage } from 'node:http';

/** Methods whose requests carry no body here: the read routes, the app's files, the login form's GET. */
const BODILESS = new Set(['GET', 'HEAD']);

/**
 * Why this request's framing is refused, or undefined. A read request (GET, HEAD) may carry no
 * body at all: no Transfer-Encoding, no Content-Length but 0. Any other request may be framed one
 * way only: a Content-Length, or `Transfer-Encoding: chunked` alone (no other coding, no list, not
 * both). node:http already refuses the worst (both headers, an unknown final coding); this also
 * refuses what it accepts but no hop here should have to interpret (`gzip, chunked`, a body on a GET).
 */
export function framingRefusal(req: IncomingMessage): string | undefined {
  const method = req.method ?? 'GET';
  const coding = req.headers['transfer-encoding'];
  const length = req.headers['content-length'];
  if (BODILESS.has(method)) {
    if (coding !== undefined) return `a ${method} request carries no body: Transfer-Encoding is not accepted on it`;
    if (length !== undefined && length.trim() !== '0')
      return `a ${method} request carries no body: Content-Length must be 0 or absent`;
    return undefined;
  }
  if (coding === undefined) return undefined;
  if (length !== undefined) return 'a request may not carry both Content-Length and Transfer-Encoding';
  if (coding.trim().toLowerCase() !== 'chunked')
    return `Transfer-Encoding "${coding.slice(0, 60)}" is not accepted: send chunked, or a Content-Length`;
  return undefined;
}
