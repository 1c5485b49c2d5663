import { ConfigError, declaredFunctions } from '../../functions/src';
import { selectFunctions } from '../src/functionSelection';

describe('selectFunctions (PETZI_FUNCTIONS)', () => {
  const all = declaredFunctions();
  const names = (wanted: string[]) => selectFunctions(all, wanted).map((f) => f.name);

  it('selects by name, in the declared order', () => {
    expect(names(['relay', 'webhook'])).toEqual(['webhook', 'relay']);
  });

  it('selects whole trigger kinds: the gateway replicas take @http, the relay service the rest plus its probes', () => {
    const http = selectFunctions(all, ['@http']);
    expect(http.length).toBeGreaterThan(0);
    expect(http.every((f) => f.kind === 'http')).toBe(true);
    const relay = selectFunctions(all, ['@rabbitmq', '@timer', 'liveness', 'metrics']);
    expect(relay.filter((f) => f.kind === 'http').map((f) => f.name)).toEqual(['metrics', 'liveness']);
    // Between them the two services serve every declared function.
    expect(new Set([...http, ...relay].map((f) => f.name))).toEqual(new Set(all.map((f) => f.name)));
    expect(names(['@timer', '@rabbitmq', '@http'])).toEqual(all.map((f) => f.name));
  });

  it('serves every function when nothing is named (PETZI_FUNCTIONS unset)', () => {
    expect(names([])).toEqual(all.map((f) => f.name));
  });

  it.each([[['relya']], [['@queue']], [['webhook', '@HTTP']]])('refuses %j, naming what exists', (wanted) => {
    expect(() => selectFunctions(all, wanted)).toThrow(ConfigError);
    expect(() => selectFunctions(all, wanted)).toThrow(
      /PETZI_FUNCTIONS names unknown functions: .*\(known: webhook, .*; kinds: @http, @timer, @rabbitmq\)/,
    );
  });
});
