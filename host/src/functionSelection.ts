import { ConfigError, type FunctionDeclaration } from '../../functions/src';

/** Every function of one trigger kind: `@http`, `@timer`, `@rabbitmq`. */
const KINDS: Record<string, FunctionDeclaration['kind']> = {
  '@http': 'http',
  '@timer': 'timer',
  '@rabbitmq': 'rabbitmq',
};

/**
 * What PETZI_FUNCTIONS selects: function names and trigger kinds, e.g. `@http` for the replicas
 * behind the gateway and `@rabbitmq,@timer,liveness,metrics` for the relay's own service, so a
 * function added later lands in the right service without editing every deployment file.
 * An unknown name or kind is refused, naming what exists; nothing wanted (PETZI_FUNCTIONS unset)
 * is every function.
 */
export function selectFunctions(declared: FunctionDeclaration[], wanted: string[]): FunctionDeclaration[] {
  if (wanted.length === 0) return declared;
  const unknown = wanted.filter((item) => !(item in KINDS) && !declared.some((f) => f.name === item));
  if (unknown.length > 0) {
    throw new ConfigError(
      `PETZI_FUNCTIONS names unknown functions: ${unknown.join(', ')} (known: ${declared.map((f) => f.name).join(', ')}; kinds: ${Object.keys(KINDS).join(', ')})`,
    );
  }
  const kinds = new Set(wanted.flatMap((item) => (KINDS[item] ? [KINDS[item]] : [])));
  return declared.filter((f) => wanted.includes(f.name) || kinds.has(f.kind));
}
