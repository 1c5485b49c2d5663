import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';

/**
 * The one environment reader: every process (functions, host, bridge, dashboard server, tools)
 * reads its variables through these, so each variable is trimmed, defaulted and range-checked the
 * same way, and a malformed value stops the process with a ConfigError naming the variable and
 * what it accepts. A variable set to nothing but blanks counts as unset (an empty `.env` line).
 * Aliases are older names, read only when the design name is unset.
 */
export type Env = Record<string, string | undefined>;

export interface Named {
  /** Older names still accepted, read in order after the design name. */
  aliases?: readonly string[];
}

/** The first of these variables that is set and not blank, trimmed: design names before aliases. */
export function first(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return value.trim();
  }
  return undefined;
}

/** The variable that is set (the design name or an alias: messages name the one the user wrote) and its trimmed value. */
function raw(env: Env, name: string, options: Named): { name: string; text: string } | undefined {
  for (const each of [name, ...(options.aliases ?? [])]) {
    const text = first(env, each);
    if (text !== undefined) return { name: each, text };
  }
  return undefined;
}

export function string(env: Env, name: string, options: Named & { default: string }): string;
export function string(env: Env, name: string, options?: Named): string | undefined;
export function string(env: Env, name: string, options: Named & { default?: string } = {}): string | undefined {
  return raw(env, name, options)?.text ?? options.default;
}

export interface IntOptions extends Named {
  min: number;
  /** Default Number.MAX_SAFE_INTEGER. */
  max?: number;
  /** Said after the range in the message, e.g. "milliseconds". */
  unit?: string;
}

function accepted(options: IntOptions): string {
  const { min, max, unit } = options;
  const range = max === undefined ? (min === 1 ? 'a positive integer' : `an integer of at least ${min}`) : `an integer from ${min} to ${max}`;
  return unit === undefined ? range : `${range} (${unit})`;
}

/** Decimal digits only: "1e3", "0x10", "2.0" and "+5" are refused, not read as numbers. */
export function int(env: Env, name: string, options: IntOptions & { default: number }): number;
export function int(env: Env, name: string, options: IntOptions): number | undefined;
export function int(env: Env, name: string, options: IntOptions & { default?: number }): number | undefined {
  const found = raw(env, name, options);
  if (found === undefined) return options.default;
  const { text } = found;
  const value = /^-?\d+$/.test(text) ? Number(text) : NaN;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(value) || value < options.min || value > max) {
    throw new ConfigError(`${found.name} must be ${accepted(options)}, got "${text}"`);
  }
  return value;
}

/** A TCP port; 0 (any free port) is allowed unless min says otherwise. */
export function port(env: Env, name: string, options: Named & { default: number; min?: 0 | 1 }): number {
  const min = options.min ?? 0;
  return int(env, name, { ...options, min, max: 65535, unit: min === 0 ? 'a port number, 0 for any free port' : 'a port number' });
}

/**
 * A comma-separated list, each item trimmed, blank items dropped. A value that lists nothing
 * (only commas and blanks) is refused: it is a typo, not a wish for an empty list.
 */
export function list(env: Env, name: string, options: Named & { default?: readonly string[] } = {}): string[] {
  const found = raw(env, name, options);
  if (found === undefined) return [...(options.default ?? [])];
  const items = found.text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length === 0) throw new ConfigError(`${found.name} must be a comma-separated list of values, got "${found.text}"`);
  return items;
}

export interface UrlOptions extends Named {
  /** Accepted schemes without the colon, e.g. ['http', 'https']. */
  protocols: readonly string[];
}

/** An absolute URL with one of the given schemes; returned as given (trimmed), not normalised. */
export function url(env: Env, name: string, options: UrlOptions & { default: string }): string;
export function url(env: Env, name: string, options: UrlOptions): string | undefined;
export function url(env: Env, name: string, options: UrlOptions & { default?: string }): string | undefined {
  const found = raw(env, name, options);
  if (found === undefined) return options.default;
  const { text } = found;
  let scheme: string | undefined;
  try {
    scheme = new URL(text).protocol.slice(0, -1);
  } catch {
    scheme = undefined;
  }
  if (scheme === undefined || !options.protocols.includes(scheme)) {
    // The value may carry a password: the message names the scheme it found, never the value.
    const seen = scheme === undefined ? 'not a URL' : `a ${scheme}: URL`;
    throw new ConfigError(`${found.name} must be a URL starting ${options.protocols.map((p) => `${p}://`).join(' or ')}, got ${seen}`);
  }
  return text;
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

/** A yes/no switch; unset is `default` (false unless given). */
export function flag(env: Env, name: string, options: Named & { default?: boolean } = {}): boolean {
  const found = raw(env, name, options);
  if (found === undefined) return options.default ?? false;
  const lower = found.text.toLowerCase();
  if (TRUE.includes(lower)) return true;
  if (FALSE.includes(lower)) return false;
  throw new ConfigError(`${found.name} must be one of ${[...TRUE, ...FALSE].join(', ')}, got "${found.text}"`);
}

/**
 * The variables that carry a secret. Each may be given as a file instead, NAME_FILE naming it, the
 * way Docker swarm and Kubernetes mount secrets (/run/secrets/<name>) and the official images read
 * them: the secret then never sits in the process's environment as the orchestrator shows it.
 */
export const SECRET_FILE_VARIABLES = [
  'PETZI_WEBHOOK_SECRET',
  'PETZI_API_KEY',
  'PETZI_ADMIN_KEY',
  'DASHBOARD_PASSWORD',
  'DATABASE_URL',
  'RABBITMQ_URL',
  'RabbitMQConnection',
] as const;

/**
 * The environment with every NAME_FILE of SECRET_FILE_VARIABLES read into NAME (the file's
 * trailing line break dropped); every process's main reads its settings from what this returns.
 * Both set, an unreadable file or an empty one is a ConfigError naming the variable (and the
 * path, never the contents).
 */
export function withSecretFiles(env: Env, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): Env {
  const resolved: Env = { ...env };
  for (const name of SECRET_FILE_VARIABLES) {
    const path = first(env, `${name}_FILE`);
    if (path === undefined) continue;
    if (first(env, name) !== undefined) throw new ConfigError(`set ${name} or ${name}_FILE, not both`);
    let text: string;
    try {
      text = readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(`${name}_FILE names ${path}, which cannot be read (${code})`);
    }
    const value = text.replace(/\r?\n$/, '');
    if (value.trim() === '') throw new ConfigError(`${name}_FILE names ${path}, which is empty`);
    resolved[name] = value;
  }
  return resolved;
}
