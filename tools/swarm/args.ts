/** The arguments of the swarm tools' CLIs (npm run swarm:secrets, npm run bench:swarm), parsed without side effects. */

export type Parsed<T> = { kind: 'help' } | { kind: 'run'; options: T };

export interface SecretsOptions {
  dir: string;
  force: boolean;
  rabbitmqUser?: string;
}

/** npm run swarm:secrets -- <dir> [--force] [--rabbitmq-user <name>] */
export function parseSecretsArgs(argv: readonly string[]): Parsed<SecretsOptions> {
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
  let force = false;
  let rabbitmqUser: string | undefined;
  const dirs: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--force') force = true;
    else if (arg === '--rabbitmq-user') {
      const value = argv[i + 1];
      // The name goes into an amqp:// URL unescaped: only characters a URL's user part keeps as they are.
      if (value === undefined || !/^[A-Za-z0-9._~-]+$/.test(value)) {
        throw new Error('--rabbitmq-user needs a name of letters, digits and . _ ~ - (it goes into an amqp:// URL)');
      }
      rabbitmqUser = value;
      i += 1;
    } else if (arg.startsWith('-')) throw new Error(`unknown option ${arg} (see --help)`);
    else dirs.push(arg);
  }
  if (dirs.length !== 1) throw new Error(`give exactly one directory (got ${dirs.length}; see --help)`);
  return { kind: 'run', options: { dir: dirs[0], force, ...(rabbitmqUser === undefined ? {} : { rabbitmqUser }) } };
}

export interface ScaleOptions {
  /** Function replica counts measured, in order. */
  replicas: number[];
  /** Seconds of load per replica count. */
  seconds: number;
  /** Requests in flight at once (a closed loop: throughput is what the stack answers). */
  concurrency: number;
}

const SCALE_FLAGS = ['--replicas', '--seconds', '--concurrency'] as const;
type ScaleFlag = (typeof SCALE_FLAGS)[number];

/** npm run bench:swarm -- [--replicas 1,2,3] [--seconds 20] [--concurrency 32] */
export function parseScaleArgs(argv: readonly string[]): Parsed<ScaleOptions> {
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
  const values: Record<ScaleFlag, string> = { '--replicas': '1,2,3', '--seconds': '20', '--concurrency': '32' };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (!(SCALE_FLAGS as readonly string[]).includes(flag)) throw new Error(`unknown argument "${flag}" (see --help)`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value (see --help)`);
    values[flag as ScaleFlag] = value;
    i += 1;
  }
  const ints = (flag: ScaleFlag, max: number, list: boolean): number[] => {
    const parts = values[flag].split(',');
    const numbers = parts.map((p) => (/^\s*\d+\s*$/.test(p) ? Number(p) : NaN));
    if ((!list && parts.length !== 1) || numbers.some((n) => !Number.isSafeInteger(n) || n < 1 || n > max)) {
      throw new Error(
        `${flag} takes ${list ? 'integers' : 'an integer'} from 1 to ${max}${list ? ', comma-separated' : ''} (got "${values[flag]}")`,
      );
    }
    return numbers;
  };
  const replicas = ints('--replicas', 12, true);
  if (new Set(replicas).size !== replicas.length)
    throw new Error(`--replicas names a count twice (got "${values['--replicas']}")`);
  const [seconds] = ints('--seconds', 600, false);
  const [concurrency] = ints('--concurrency', 512, false);
  return { kind: 'run', options: { replicas, seconds, concurrency } };
}
