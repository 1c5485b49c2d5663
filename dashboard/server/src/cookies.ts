import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'petzi_session';

/** The value of one cookie of the request, or undefined. */
export function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Whether the browser reached us over TLS: directly, or through a proxy that terminated it. */
export function overTls(req: IncomingMessage): boolean {
  return Boolean((req.socket as { encrypted?: boolean }).encrypted) || req.headers['x-forwarded-proto'] === 'https';
}

/** HttpOnly (no script reads it), SameSite=Strict (no other site's request carries it), Secure over TLS. */
export function sessionCookie(req: IncomingMessage, value: string, maxAgeSeconds?: number): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  if (overTls(req)) parts.push('Secure');
  return parts.join('; ');
}
