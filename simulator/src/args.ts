import { MAX_SEED } from './random';
import { EVENT_MODES, type EventMode } from './payloads';

export const DEFAULT_SECRET = 'secret';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_SECONDS = 30;

export interface SimulatorOptions {
  url: string;
  secret: string;
  /** Requests to send; undefined means "until --duration ends". */
  count: number | undefined;
  concurrency: number;
  /** Requests per second; undefined means as fast as the concurrency allows. */
  rate: number | undefined;
  durationSeconds: number | undefined;
  event: EventMode;
  seed: number | undefined;
  /** YYYY-MM-DD the payload dates are based on; undefined means today (UTC). */
  date: string | undefined;
  invalid: boolean;
  maxBodyBytes: number;
  timeoutSeconds: number;
  json: boolean;
}

export type ParsedArgs = { kind: 'help' } | { kind: 'run'; options: SimulatorOptions };

/** Bad command line: the CLI prints the message and the usage line and exits 64 (EX_USAGE). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: petzi-simulator <url> [secret] [options]
       npm run simulate -- <url> [secret] [options]

Sends signed PETZI webhooks to <url> (the full webhook URL, e.g. http://localhost:5000/webhook),
signed with [secret] (default "${DEFAULT_SECRET}").

Options:
  --count N             requests to send (default 1; unlimited when --duration is given alone)
  --concurrency N       requests in flight at once (default 1)
  --rate R              at most R requests per second (decimals allowed)
  --duration S          stop starting requests after S seconds
  --event KIND          ticket_created (default) | ticket_updated | mixed
                        (mixed updates tickets created earlier in the run, with a cancellation reason)
  --seed N              deterministic payloads: the same seed and --date give the same bytes
  --date YYYY-MM-DD     day the payload dates are based on (default: today, UTC)
  --timeout S           per-request timeout in seconds (default ${DEFAULT_TIMEOUT_SECONDS})
  --invalid             send each kind of bad request once and compare the status with the expected one
  --max-body-bytes N    the receiver's MAX_BODY_BYTES, for the oversized-body case (default ${DEFAULT_MAX_BODY_BYTES})
  --json                print the summary as one JSON object on stdout
  -h, --help            show this help

Exit status: 0 every request got the expected status; 1 some did not; 2 the URL is unreachable;
64 bad arguments.`;

const FLAGS = new Set(['--invalid', '--json', '--help', '-h']);
const VALUED = new Set([
  '--count',
  '--concurrency',
  '--rate',
  '--duration',
  '--event',
  '--seed',
  '--date',
  '--timeout',
  '--max-body-bytes',
]);

function positiveInt(name: string, raw: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new UsageError(`${name} must be a whole number from 1 to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function positiveNumber(name: string, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${name} must be a number greater than 0, got "${raw}"`);
  }
  return value;
}

function parseSeed(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > MAX_SEED) {
    throw new UsageError(`--seed must be a whole number from 0 to ${MAX_SEED}, got "${raw}"`);
  }
  return Number(raw);
}

function parseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`"${raw}" is not a URL: give the full webhook URL, e.g. http://localhost:5000/webhook`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`the URL must be http or https, got "${url.protocol}"`);
  }
  return url.toString();
}

function parseDate(raw: string): string {
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(raw) && new Date(`${raw}T00:00:00Z`).toISOString().slice(0, 10) === raw;
  if (!valid) throw new UsageError(`--date must be a calendar date YYYY-MM-DD, got "${raw}"`);
  return raw;
}

/** Pure: argv (without node and the script) to options, or a UsageError saying what is wrong. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  let onlyPositionals = false;

  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (onlyPositionals || !arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (FLAGS.has(name)) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      flags.add(name === '-h' ? '--help' : name);
    } else if (VALUED.has(name)) {
      let value: string | undefined;
      if (eq > 0) value = arg.slice(eq + 1);
      else {
        value = argv[i + 1];
        i += 1;
      }
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      if (values.has(name)) throw new UsageError(`${name} given twice`);
      values.set(name, value);
    } else {
      throw new UsageError(`unknown option ${name}`);
    }
  }

  if (flags.has('--help')) return { kind: 'help' };
  if (positionals.length === 0) throw new UsageError('missing <url>');
  if (positionals.length > 2) throw new UsageError(`too many arguments: ${positionals.slice(2).join(' ')}`);

  const get = (name: string): string | undefined => values.get(name);
  const event = get('--event') ?? 'ticket_created';
  if (!(EVENT_MODES as readonly string[]).includes(event)) {
    throw new UsageError(`--event must be one of ${EVENT_MODES.join(', ')}, got "${event}"`);
  }
  const seedRaw = get('--seed');
  const seed = seedRaw === undefined ? undefined : parseSeed(seedRaw);
  const countRaw = get('--count');
  const durationRaw = get('--duration');
  const rateRaw = get('--rate');
  const maxBodyRaw = get('--max-body-bytes');
  const invalid = flags.has('--invalid');

  if (invalid) {
    const clash = ['--count', '--concurrency', '--rate', '--duration', '--event'].filter((name) => values.has(name));
    if (clash.length > 0)
      throw new UsageError(`--invalid sends a fixed set of requests; it cannot be combined with ${clash.join(', ')}`);
  } else if (maxBodyRaw !== undefined) {
    throw new UsageError('--max-body-bytes only applies with --invalid');
  }

  const secret = positionals[1] ?? DEFAULT_SECRET;
  if (secret === '') throw new UsageError('the secret must not be empty');
  const durationSeconds = durationRaw === undefined ? undefined : positiveNumber('--duration', durationRaw);
  return {
    kind: 'run',
    options: {
      url: parseUrl(positionals[0] as string),
      secret,
      count: countRaw !== undefined ? positiveInt('--count', countRaw) : durationSeconds !== undefined ? undefined : 1,
      concurrency: positiveInt('--concurrency', get('--concurrency') ?? '1', 1000),
      rate: rateRaw === undefined ? undefined : positiveNumber('--rate', rateRaw),
      durationSeconds,
      event: event as EventMode,
      seed,
      date: get('--date') === undefined ? undefined : parseDate(get('--date') as string),
      invalid,
      maxBodyBytes: positiveInt('--max-body-bytes', maxBodyRaw ?? String(DEFAULT_MAX_BODY_BYTES)),
      timeoutSeconds: positiveNumber('--timeout', get('--timeout') ?? String(DEFAULT_TIMEOUT_SECONDS)),
      json: flags.has('--json'),
    },
  };
}
