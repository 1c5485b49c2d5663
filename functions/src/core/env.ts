import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';

/**
 * The one environment reader: every process (functions, host, bridge, dashboard server, tools)
 * reads its variables through `read`, and `read` takes a declaration, never a bare name. So each
 * variable is declared once with its kind, range, default and meaning, and the same declaration
 * is what the code reads, what `--help` prints and what docs/configuration.md lists (written by
 * `npm run docs:config`; a test fails when the page and the declarations differ).
 *
 * Each value is trimmed; a variable set to nothing but blanks counts as unset (an empty `.env`
 * line). A malformed value stops the process with a ConfigError naming the variable (the name the
 * user wrote, alias or not) and what it accepts. Aliases are older names, read in order only when
 * the design name is unset.
 */
export type Env = Record<string, string | undefined>;

interface Declared {
  /** The design name. */
  name: string;
  /** Older names still accepted, read in order after the design name. */
  aliases?: readonly string[];
  /** What it does, as --help and docs/configuration.md say it: one short sentence, no final stop. */
  meaning: string;
  /** What unset means, for --help and the docs, when the default alone does not say it. */
  unset?: string;
}

export interface StringVariable extends Declared {
  kind: 'string';
  default?: string;
}

/** Decimal digits only: "1e3", "0x10", "2.0" and "+5" are refused, not read as numbers. */
export interface IntVariable extends Declared {
  kind: 'int';
  min: number;
  /** Default Number.MAX_SAFE_INTEGER. */
  max?: number;
  /** Said after the range in the message, e.g. "milliseconds". */
  unit?: string;
  default?: number;
}

/** A TCP port; 0 (any free port) is allowed unless min is 1. */
export interface PortVariable extends Declared {
  kind: 'port';
  min?: 0 | 1;
  default: number;
}

/**
 * A comma-separated list, each item trimmed, blank items dropped. A value that lists nothing
 * (only commas and blanks) is refused: it is a typo, not a wish for an empty list. Unset: the
 * default, else an empty list.
 */
export interface ListVariable extends Declared {
  kind: 'list';
  default?: readonly string[];
}

/** An absolute URL with one of the schemes; returned as given (trimmed), not normalised. */
export interface UrlVariable extends Declared {
  kind: 'url';
  /** Accepted schemes without the colon, e.g. ['http', 'https']. */
  protocols: readonly string[];
  default?: string;
}

/** A yes/no switch; unset is the default, false unless given. */
export interface FlagVariable extends Declared {
  kind: 'flag';
  default?: boolean;
}

export type Variable = StringVariable | IntVariable | PortVariable | ListVariable | UrlVariable | FlagVariable;

/** A declaration without its name: the key of the record passed to declareVariables is the name. */
type Unnamed<V> = V extends Variable ? Omit<V, 'name'> : never;

/**
 * Declares variables, one entry each, keyed by their design name:
 *
 *     export const BRIDGE_VARIABLES = declareVariables({
 *       BRIDGE_HEARTBEAT_MS: { kind: 'int', min: 100, unit: 'milliseconds', default: 15_000, meaning: 'interval of the
 * heartbeat comment' },
 *     });
 *     const heartbeatMs = read(env, BRIDGE_VARIABLES.BRIDGE_HEARTBEAT_MS); // number
 */
export function declareVariables<const T extends Record<string, Unnamed<Variable>>>(
  spec: T,
): { readonly [K in keyof T & string]: T[K] & { name: K } } {
  const named = Object.fromEntries(Object.entries(spec).map(([name, declared]) => [name, { ...declared, name }]));
  return named as unknown as { [K in keyof T & string]: T[K] & { name: K } };
}

/** What `read` returns for a declaration: never undefined when it has a default. */
export type ValueOf<V extends Variable> = V extends PortVariable
  ? number
  : V extends ListVariable
    ? string[]
    : V extends FlagVariable
      ? boolean
      : V extends IntVariable
        ? V extends { default: number }
          ? number
          : number | undefined
        : V extends { default: string }
          ? string
          : string | undefined;

/**
 * The variable that is set (the design name or an alias: messages name the one the user wrote) and its trimmed value.
 */
function raw(env: Env, variable: Variable): { name: string; text: string } | undefined {
  for (const name of [variable.name, ...(variable.aliases ?? [])]) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { name, text: value.trim() };
  }
  return undefined;
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

const intRange = (v: IntVariable | PortVariable): { min: number; max: number | undefined; unit: string | undefined } =>
  v.kind === 'int'
    ? { min: v.min, max: v.max, unit: v.unit }
    : {
        min: v.min ?? 0,
        max: 65535,
        unit: (v.min ?? 0) === 0 ? 'a port number, 0 for any free port' : 'a port number',
      };

/** What a variable accepts, in words: the error messages, --help and the docs say the same. */
export function accepts(variable: Variable): string {
  switch (variable.kind) {
    case 'int':
    case 'port': {
      const { min, max, unit } = intRange(variable);
      const range =
        max === undefined
          ? min === 1
            ? 'a positive integer'
            : `an integer of at least ${min}`
          : `an integer from ${min} to ${max}`;
      return unit === undefined ? range : `${range} (${unit})`;
    }
    case 'list':
      return 'a comma-separated list of values';
    case 'url':
      return `a URL starting ${variable.protocols.map((p) => `${p}://`).join(' or ')}`;
    case 'flag':
      return `one of ${[...TRUE, ...FALSE].join(', ')}`;
    case 'string':
      return 'text';
  }
}

function readInt(variable: IntVariable | PortVariable, found: { name: string; text: string }): number {
  const { text } = found;
  const value = /^-?\d+$/.test(text) ? Number(text) : NaN;
  const { min, max = Number.MAX_SAFE_INTEGER } = intRange(variable);
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new ConfigError(`${found.name} must be ${accepts(variable)}, got "${text}"`);
  return value;
}

function readValue(variable: Variable, found: { name: string; text: string }): string | number | boolean | string[] {
  const { name, text } = found;
  switch (variable.kind) {
    case 'string':
      return text;
    case 'int':
    case 'port':
      return readInt(variable, found);
    case 'list': {
      const items = text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
      if (items.length === 0) throw new ConfigError(`${name} must be ${accepts(variable)}, got "${text}"`);
      return items;
    }
    case 'url': {
      let scheme: string | undefined;
      try {
        scheme = new URL(text).protocol.slice(0, -1);
      } catch {
        scheme = undefined;
      }
      if (scheme === undefined || !variable.protocols.includes(scheme)) {
        // The value may carry a password: the message names the scheme it found, never the value.
        throw new ConfigError(
          `${name} must be ${accepts(variable)}, got ${scheme === undefined ? 'not a URL' : `a ${scheme}: URL`}`,
        );
      }
      return text;
    }
    case 'flag': {
      const lower = text.toLowerCase();
      if (TRUE.includes(lower)) return true;
      if (FALSE.includes(lower)) return false;
      throw new ConfigError(`${name} must be ${accepts(variable)}, got "${text}"`);
    }
  }
}

function fallback(variable: Variable): string | number | boolean | string[] | undefined {
  if (variable.kind === 'list') return [...(variable.default ?? [])];
  if (variable.kind === 'flag') return variable.default ?? false;
  return variable.default;
}

/** The value of a declared variable: its design name, else its aliases in order, else its default. */
export function read<V extends Variable>(env: Env, variable: V): ValueOf<V> {
  const found = raw(env, variable);
  return (found === undefined ? fallback(variable) : readValue(variable, found)) as ValueOf<V>;
}

/** The trimmed text of a declared variable (its design name, else an alias), unparsed: for passing it on to a child. */
export function readText(env: Env, variable: Variable): string | undefined {
  return raw(env, variable)?.text;
}

/** What --help and the docs say of a variable when it is unset. */
export function unsetText(variable: Variable): string {
  if (variable.unset !== undefined) return variable.unset;
  const value = variable.default;
  if (value === undefined) return variable.kind === 'flag' ? 'off' : 'none';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (Array.isArray(value)) return value.join(',');
  return String(value as string | number);
}

/** Prose re-flowed to lines of at most `width` columns (a word longer than that stands alone). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** One variable as --help says it: the meaning, then what unset means and the aliases in brackets. */
function helpText(variable: Variable): string {
  const notes: string[] = [];
  if (variable.unset !== undefined) notes.push(`unset: ${variable.unset}`);
  else if (variable.default !== undefined || variable.kind === 'flag') notes.push(`default: ${unsetText(variable)}`);
  if (variable.aliases?.length) notes.push(`alias ${variable.aliases.join(', ')}`);
  return notes.length === 0 ? variable.meaning : `${variable.meaning} (${notes.join('; ')})`;
}

/** The Environment lines of a --help, one entry per variable, the text wrapped at 100 columns. */
export function variablesHelp(variables: readonly Variable[]): string {
  const column = Math.max(...variables.map((v) => v.name.length)) + 4;
  return variables
    .flatMap((variable) =>
      wrapWords(helpText(variable), 100 - column).map((line, i) =>
        i === 0 ? `  ${variable.name.padEnd(column - 2)}${line}` : `${' '.repeat(column)}${line}`,
      ),
    )
    .join('\n');
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The markdown table docs/configuration.md shows for a list of variables. */
export function variablesTable(variables: readonly Variable[]): string {
  const rows = variables.map((v) => {
    const name = [
      `\`${v.name}\``,
      ...(v.aliases?.length ? [`(alias ${v.aliases.map((a) => `\`${a}\``).join(', ')})`] : []),
    ].join(' ');
    const unset = v.unset === undefined && v.default !== undefined ? `\`${unsetText(v)}\`` : unsetText(v);
    return `| ${name} | ${cell(v.meaning)} | ${cell(unset)} | ${cell(accepts(v))} |`;
  });
  return ['| variable | meaning | unset | accepts |', '| --- | --- | --- | --- |', ...rows].join('\n');
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
const setText = (env: Env, name: string): string | undefined => {
  const value = env[name];
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
};

export function withSecretFiles(
  env: Env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Env {
  const resolved: Env = { ...env };
  for (const name of SECRET_FILE_VARIABLES) {
    const path = setText(env, `${name}_FILE`);
    if (path === undefined) continue;
    if (setText(env, name) !== undefined) throw new ConfigError(`set ${name} or ${name}_FILE, not both`);
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
