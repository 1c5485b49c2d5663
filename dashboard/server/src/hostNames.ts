import { ConfigError, declareVariables, isLoopback, readEnv, type Env } from '../../../functions/src';

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** `name` or `name:port`, `[v6]` or `[v6]:port`, as a Host header spells it. */
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]/@]+)(?::(\d{1,5}))?$/;

export const PUBLIC_ORIGIN_VARIABLES = declareVariables({
  DASHBOARD_PUBLIC_ORIGIN: {
    kind: 'list',
    meaning:
      'the origins browsers use from elsewhere, comma-separated (e.g. https://tickets.example.org); a request whose Host is neither a loopback name nor one of these gets a 421',
    unset: 'loopback names only',
  },
});

/**
 * DASHBOARD_PUBLIC_ORIGIN: the origins browsers use to reach the dashboard from elsewhere than
 * this machine (e.g. `https://tickets.example.org`), comma-separated. Each is a bare origin:
 * http or https, a host, an optional port, nothing else.
 */
export function publicOriginsFromEnv(env: Env): URL[] {
  return readEnv.read(env, PUBLIC_ORIGIN_VARIABLES.DASHBOARD_PUBLIC_ORIGIN).map((text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ConfigError(
        `DASHBOARD_PUBLIC_ORIGIN must list origins such as https://tickets.example.org, got "${text}"`,
      );
    }
    const bare =
      url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
    if (!(url.protocol in DEFAULT_PORTS) || !bare) {
      throw new ConfigError(
        `DASHBOARD_PUBLIC_ORIGIN must list origins (http:// or https://, a host and an optional port, no path), got "${text}"`,
      );
    }
    return url;
  });
}

/**
 * Whether a Host header names this dashboard: a loopback name (localhost, 127.0.0.0/8, [::1]) on
 * any port, or the host and port of one of its public origins (a Host without a port means the
 * origin's default one). Anything else is a name the dashboard does not serve, such as the
 * attacker's own domain after a DNS rebinding, and gets a 421.
 */
export function servesHost(host: string | undefined, publicOrigins: readonly URL[]): boolean {
  if (host === undefined) return false;
  const match = HOST.exec(host.trim());
  if (!match) return false;
  const name = match[1].toLowerCase();
  if (isLoopback(name)) return true;
  return publicOrigins.some((origin) => {
    const port = origin.port || DEFAULT_PORTS[origin.protocol];
    return origin.hostname === name && (match[2] ?? DEFAULT_PORTS[origin.protocol]) === port;
  });
}
