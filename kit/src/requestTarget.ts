import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './respond';

/**
 * The request target every process checks before routing. A path is accepted only in one
 * canonical spelling, so that what a process routes on is what the next hop will route on:
 * no dot segments (plain or percent-encoded), no encoded or back slashes, no empty segments, no
 * malformed percent-encoding or UTF-8, no NUL. Anything else is the client's error (400).
 */
export interface RequestTarget {
  /** The path as received (still percent-encoded), e.g. `/api/tickets/A%20B`. */
  pathname: string;
  /** The query as received, with its `?`, or ''. */
  search: string;
  /** The decoded path segments, e.g. ['api', 'tickets', 'A B']. */
  segments: string[];
  query: URLSearchParams;
}

export class BadRequestTarget extends Error {
  override name = 'BadRequestTarget';
}

/** decodeURIComponent without the throw: undefined for malformed escapes and invalid UTF-8 (lone surrogates). */
export function tryDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function decodeSegment(raw: string): string {
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) throw new BadRequestTarget('Malformed percent-encoding in the path');
  const decoded = tryDecode(raw);
  if (decoded === undefined) throw new BadRequestTarget('The path does not decode to valid UTF-8');
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(decoded))
    throw new BadRequestTarget('Control characters (NUL included) are not allowed in the path');
  if (decoded.includes('/') || decoded.includes('\\'))
    throw new BadRequestTarget('Encoded slashes and backslashes are not allowed in the path');
  if (decoded === '.' || decoded === '..')
    throw new BadRequestTarget('Dot segments (. and ..) are not allowed in the path');
  return decoded;
}

export function parseRequestTarget(raw: string | undefined): RequestTarget {
  const target = raw ?? '/';
  // Origin form only: an absolute URL, an authority or `*` names no route of ours.
  if (!target.startsWith('/')) throw new BadRequestTarget('The request target must be a path starting with /');
  const hash = target.indexOf('#');
  const withoutFragment = hash === -1 ? target : target.slice(0, hash);
  const q = withoutFragment.indexOf('?');
  const pathname = q === -1 ? withoutFragment : withoutFragment.slice(0, q);
  const search = q === -1 ? '' : withoutFragment.slice(q);
  if (pathname.includes('\\')) throw new BadRequestTarget('Backslashes are not allowed in the path');
  // One trailing slash is tolerated (`/api/tickets/`), an empty segment anywhere else (`//metrics`) is not.
  const body = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(1, -1) : pathname.slice(1);
  const segments =
    body === ''
      ? []
      : body.split('/').map((segment) => {
          if (segment === '') throw new BadRequestTarget('Empty path segments (//) are not allowed');
          return decodeSegment(segment);
        });
  const query = new URLSearchParams(search);
  for (const [key, value] of query) {
    if (key.includes('\u0000') || value.includes('\u0000'))
      throw new BadRequestTarget('NUL is not allowed in the query');
  }
  return { pathname, search, segments, query };
}

/** The request's target, or undefined once a non-canonical one has been refused with a 400 JSON error. */
export function targetOrRefuse(
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string> = {},
): RequestTarget | undefined {
  try {
    return parseRequestTarget(req.url);
  } catch (error) {
    if (!(error instanceof BadRequestTarget)) throw error;
    req.resume();
    sendJson(res, 400, { error: error.message }, headers);
    return undefined;
  }
}
