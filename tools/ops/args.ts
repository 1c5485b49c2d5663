/** `npm run ops -- <command> [options]`, parsed; anything unusable is a UsageError (exit 2). */

export class UsageError extends Error {
  override name = 'UsageError';
}

export type Command =
  | { name: 'help'; topic?: string }
  | { name: 'deliveries'; query: URLSearchParams; json: boolean }
  | { name: 'dead-letters'; query: URLSearchParams; json: boolean }
  | { name: 'redrive'; body: Record<string, unknown>; json: boolean }
  | { name: 'replay'; body: Record<string, unknown>; json: boolean; quiet: boolean };

interface Spec {
  /** --flag value options, by the name the service's request parser knows. */
  values: Record<string, string>;
  /** --flag options without a value. */
  switches: string[];
}

const SPECS: Record<string, Spec> = {
  deliveries: {
    values: { outcome: 'outcome', status: 'status', from: 'from', to: 'to', limit: 'limit', cursor: 'cursor' },
    switches: ['json'],
  },
  'dead-letters': { values: { state: 'state', limit: 'limit', cursor: 'cursor' }, switches: ['json'] },
  redrive: { values: {}, switches: ['all', 'json'] },
  replay: {
    values: { 'from-id': 'fromId', 'to-id': 'toId', from: 'from', to: 'to' },
    switches: ['rebuild', 'json', 'quiet'],
  },
};

function parseOptions(
  command: string,
  argv: string[],
): { values: Map<string, string>; switches: Set<string>; positional: string[] } {
  const spec = SPECS[command];
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [flag, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (spec.switches.includes(flag)) {
      if (inline !== undefined) throw new UsageError(`--${flag} takes no value`);
      switches.add(flag);
    } else if (flag in spec.values) {
      const value = inline ?? argv[(i += 1)];
      if (value === undefined) throw new UsageError(`--${flag} needs a value`);
      values.set(spec.values[flag], value);
    } else {
      throw new UsageError(`unknown option --${flag} for ${command}; see npm run ops -- ${command} --help`);
    }
  }
  return { values, switches, positional };
}

function integer(name: string, raw: string): number {
  if (!/^\d{1,16}$/.test(raw)) throw new UsageError(`${name} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

export function parseArgs(argv: string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help')
    return { name: 'help', topic: rest[0] };
  if (!(name in SPECS)) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(SPECS).join(', ')}`);
  if (rest.includes('--help') || rest.includes('-h')) return { name: 'help', topic: name };
  const { values, switches, positional } = parseOptions(name, rest);
  const json = switches.has('json');
  switch (name) {
    case 'deliveries':
    case 'dead-letters':
      if (positional.length > 0) throw new UsageError(`${name} takes no arguments, got "${positional[0]}"`);
      return { name, query: new URLSearchParams([...values]), json };
    case 'redrive':
      if (switches.has('all') === positional.length > 0)
        throw new UsageError('redrive takes dead letter ids, or --all');
      return {
        name,
        body: switches.has('all') ? { all: true } : { ids: positional.map((p) => integer('a dead letter id', p)) },
        json,
      };
    default: {
      if (positional.length > 0) throw new UsageError(`replay takes no arguments, got "${positional[0]}"`);
      const body: Record<string, unknown> = { rebuild: switches.has('rebuild') };
      for (const [key, value] of values)
        body[key] =
          key === 'fromId' || key === 'toId' ? integer(`--${key === 'fromId' ? 'from-id' : 'to-id'}`, value) : value;
      return { name: 'replay', body, json, quiet: switches.has('quiet') };
    }
  }
}
