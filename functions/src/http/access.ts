import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULTS, outsideLocalDevelopment } from '../core/config';
import { declareVariables, read, type Env } from '../core/env';
import { ConfigError } from '../core/errors';

/** Azure's header for a function key (the `code` query parameter is the other way to send one). */
export const KEY_HEADER = 'x-functions-key';
/** Azure's query parameter for a function key. */
export const KEY_PARAM = 'code';

/**
 * Who may call an http function, with Azure's names: `anonymous` anyone, `function` a function key
 * (PETZI_API_KEY locally), `admin` the admin key (PETZI_ADMIN_KEY locally, the master key in Azure).
 */
export type HttpAuthLevel = 'anonymous' | 'function' | 'admin';

/** Every accepted key, several at once while one is rotated out. */
export interface AccessKeys {
  /** PETZI_API_KEY: the read paths and the stream. */
  functionKeys: string[];
  /** PETZI_ADMIN_KEY: state-changing routes; like Azure's master key it also passes function level. */
  adminKeys: string[];
}

export interface Access {
  keys: AccessKeys;
  /**
   * True only for local development without PETZI_API_KEY: loopback bind and not production. Then
   * function-level routes answer without a key, so a laptop needs no setup; admin routes never do.
   */
  openReads: boolean;
}

export const ACCESS_VARIABLES = declareVariables({
  PETZI_API_KEY: {
    kind: 'list',
    meaning:
      'function key(s) of the read paths and /events (x-functions-key header or ?code=), comma-separated for rotation',
    unset: 'open, on loopback outside production only',
  },
  PETZI_ADMIN_KEY: {
    kind: 'list',
    meaning: 'admin key(s) of the state-changing routes, comma-separated; they pass function level too',
    unset: 'admin routes closed',
  },
});

export function accessKeysFromEnv(env: Env): AccessKeys {
  return {
    functionKeys: read(env, ACCESS_VARIABLES.PETZI_API_KEY),
    adminKeys: read(env, ACCESS_VARIABLES.PETZI_ADMIN_KEY),
  };
}

/** 127.0.0.0/8, ::1 and localhost (IPv4-mapped forms included): reachable from this machine only. */
export function isLoopback(hostname: string): boolean {
  const host = hostname
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice('::ffff:'.length) : host;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Why a process counts as exposed (reachable from elsewhere, or production), or undefined when it is not. */
export function exposure(hostname: string, env: Env): string | undefined {
  if (!isLoopback(hostname)) return `it binds ${hostname}, not loopback`;
  if (outsideLocalDevelopment(env))
    return 'this is not local development (NODE_ENV=production or an Azure environment)';
  return undefined;
}

/**
 * The one place that decides whether the read paths may go without a key: only when no
 * PETZI_API_KEY is set, the process binds loopback and this is local development. Anywhere else
 * a missing key refuses the start (ConfigError naming PETZI_API_KEY).
 */
export function resolveAccess(keys: AccessKeys, hostname: string, env: Env): Access {
  if (keys.functionKeys.length > 0) return { keys, openReads: false };
  const why = exposure(hostname, env);
  if (why !== undefined)
    throw new ConfigError(
      `set PETZI_API_KEY (the read paths' key, comma-separated for rotation): refusing to serve them without one because ${why}`,
    );
  return { keys, openReads: true };
}

/** Refuses the example webhook secret wherever the process is exposed; names the variable to set. */
export function refuseExampleSecret(secrets: string[], hostname: string, env: Env): void {
  const why = exposure(hostname, env);
  if (why !== undefined && secrets.includes(DEFAULTS.secret)) {
    throw new ConfigError(
      `set PETZI_WEBHOOK_SECRET to a real secret: the example secret "${DEFAULTS.secret}" lets anyone sign webhooks, and ${why}`,
    );
  }
}

/** A random key, token or session id with 256 bits of entropy, URL- and cookie-safe. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Constant time in the key's content: both sides are hashed to one length, and every key is compared. */
export function matchesAnyKey(candidate: string, keys: string[]): boolean {
  const given = digest(candidate);
  let found = false;
  for (const key of keys) found = timingSafeEqual(given, digest(key)) || found;
  return found;
}

/** The keys a request presents: the header and the `code` parameter (either may carry the key). */
function presented(headers: IncomingHttpHeaders, query: URLSearchParams): string[] {
  const header = headers[KEY_HEADER];
  const fromHeader = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return [...fromHeader, ...query.getAll(KEY_PARAM)];
}

/** The 401 reply's message when a request may not pass, or undefined when it may. */
export function refusal(
  level: HttpAuthLevel,
  access: Access,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): string | undefined {
  if (level === 'anonymous') return undefined;
  const keys = presented(headers, query);
  if (level === 'admin') {
    if (access.keys.adminKeys.length === 0)
      return 'This route needs the admin key, and none is configured (PETZI_ADMIN_KEY)';
    return keys.some((key) => matchesAnyKey(key, access.keys.adminKeys))
      ? undefined
      : `The admin key is required: send it in the ${KEY_HEADER} header or the ${KEY_PARAM} query parameter`;
  }
  if (access.openReads) return undefined;
  const accepted = [...access.keys.functionKeys, ...access.keys.adminKeys];
  return keys.some((key) => matchesAnyKey(key, accepted))
    ? undefined
    : `A function key is required: send it in the ${KEY_HEADER} header or the ${KEY_PARAM} query parameter`;
}

/**
 * Which of its keys a request that passed `function` level was let in with, as a digest (the
 * holder of a per-key cap; never the key itself), or undefined when it presented none that matches
 * (open reads in local development).
 */
export function acceptedKeyDigest(
  access: Access,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): string | undefined {
  const accepted = [...access.keys.functionKeys, ...access.keys.adminKeys];
  const key = presented(headers, query).find((candidate) => matchesAnyKey(candidate, accepted));
  return key === undefined ? undefined : digest(key).toString('hex').slice(0, 16);
}
