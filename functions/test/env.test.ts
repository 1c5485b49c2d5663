import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  accepts,
  declareVariables,
  read,
  readText,
  SECRET_FILE_VARIABLES,
  unsetText,
  variablesHelp,
  variablesTable,
  withSecretFiles,
  type Env,
  type Variable,
} from '../src/core/env';
import { ConfigError } from '../src/core/errors';

/** The message of what `read` throws; fails the test when it throws nothing or something else. */
function refusal(env: Env, variable: Variable): string {
  try {
    read(env, variable);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const V = declareVariables({
  S: { kind: 'string', aliases: ['OLD_S'], meaning: 'a text' },
  SD: { kind: 'string', default: 'd', meaning: 'a text with a default' },
  N: { kind: 'int', min: 1, max: 100, aliases: ['OLD_N'], meaning: 'a number' },
  ND: { kind: 'int', min: 1, max: 100, default: 7, meaning: 'a number with a default' },
  POSITIVE: { kind: 'int', min: 1, meaning: 'a positive number' },
  MS: { kind: 'int', min: 100, unit: 'milliseconds', meaning: 'a duration' },
  PORT: { kind: 'port', default: 5000, meaning: 'a port, 0 allowed' },
  PORT1: { kind: 'port', min: 1, default: 5000, meaning: 'a port, 0 refused' },
  L: { kind: 'list', meaning: 'a list' },
  LD: { kind: 'list', default: ['x'], meaning: 'a list with a default' },
  U: { kind: 'url', protocols: ['http', 'https'], meaning: 'a URL' },
  UD: { kind: 'url', protocols: ['http', 'https'], default: 'http://127.0.0.1:5000', meaning: 'a URL with a default' },
  F: { kind: 'flag', meaning: 'a switch' },
  FD: { kind: 'flag', default: true, meaning: 'a switch, on by default' },
});

describe('declareVariables', () => {
  it('names each declaration by its key', () => {
    expect(V.N.name).toBe('N');
    expect(V.UD).toMatchObject({ name: 'UD', kind: 'url', default: 'http://127.0.0.1:5000' });
  });
});

describe('string', () => {
  it('reads the design name before the aliases, trimmed, blank as unset', () => {
    expect(read({ OLD_S: 'old', S: 'new' }, V.S)).toBe('new');
    expect(read({ OLD_S: ' old ' }, V.S)).toBe('old');
    expect(read({ S: '  ', OLD_S: ' b ' }, V.S)).toBe('b');
    expect(read({ SD: '' }, V.SD)).toBe('d');
    expect(read({}, V.S)).toBeUndefined();
  });

  it('readText gives any kind unparsed, alias included', () => {
    expect(readText({ OLD_N: ' x ' }, V.N)).toBe('x');
    expect(readText({}, V.ND)).toBeUndefined();
  });
});

describe('int', () => {
  it('reads decimal integers, trimmed, within the range; unset or blank is the default', () => {
    expect(read({ ND: ' 42 ' }, V.ND)).toBe(42);
    expect(read({ N: '1' }, V.N)).toBe(1);
    expect(read({ N: '100' }, V.N)).toBe(100);
    expect(read({}, V.ND)).toBe(7);
    expect(read({ ND: '' }, V.ND)).toBe(7);
    expect(read({ ND: '   ' }, V.ND)).toBe(7);
    expect(read({}, V.N)).toBeUndefined();
    expect(read({ OLD_N: '5' }, V.N)).toBe(5);
  });

  it.each([
    ['non-number', 'ten'],
    ['inner spaces', '1 0'],
    ['negative', '-5'],
    ['zero below the minimum', '0'],
    ['over the maximum', '101'],
    ['a fraction', '2.5'],
    ['a trailing dot', '10.'],
    ['an exponent', '1e3'],
    ['hexadecimal', '0x10'],
    ['a plus sign', '+5'],
    ['a unit', '10ms'],
    ['huge', '99999999999999999999'],
    ['Infinity', 'Infinity'],
  ])('refuses %s (%s), naming the variable, the range and the value', (_what, value) => {
    expect(refusal({ N: value }, V.N)).toBe(`N must be an integer from 1 to 100, got "${value}"`);
  });

  it('says a positive integer, or at least the minimum, when there is no maximum; and the unit', () => {
    expect(refusal({ POSITIVE: '0' }, V.POSITIVE)).toBe('POSITIVE must be a positive integer, got "0"');
    expect(refusal({ MS: '5' }, V.MS)).toBe('MS must be an integer of at least 100 (milliseconds), got "5"');
    expect(refusal({ POSITIVE: '99999999999999999999' }, V.POSITIVE)).toMatch(/positive integer/);
  });

  it('names the alias that was set, not the design name', () => {
    expect(refusal({ OLD_N: 'x' }, V.N)).toMatch(/^OLD_N must be/);
  });
});

describe('port', () => {
  it('reads 0 to 65535 (0: any free port) unless min is 1', () => {
    expect(read({ PORT: '0' }, V.PORT)).toBe(0);
    expect(read({ PORT: '65535' }, V.PORT)).toBe(65535);
    expect(read({}, V.PORT)).toBe(5000);
    expect(refusal({ PORT1: '0' }, V.PORT1)).toBe('PORT1 must be an integer from 1 to 65535 (a port number), got "0"');
  });

  it.each(['65536', '-1', 'http', '80.5', '1e3', '0x50', '99999999999999999999'])('refuses PORT=%s', (value) => {
    expect(refusal({ PORT: value }, V.PORT)).toBe(
      `PORT must be an integer from 0 to 65535 (a port number, 0 for any free port), got "${value}"`,
    );
  });
});

describe('list', () => {
  it('splits on commas, trims each item and drops blank ones', () => {
    expect(read({ L: ' a, b ,,c,' }, V.L)).toEqual(['a', 'b', 'c']);
    expect(read({ L: 'only' }, V.L)).toEqual(['only']);
  });

  it('is the default (a copy) when unset or blank, else empty', () => {
    const value = read({ LD: ' ' }, V.LD);
    expect(value).toEqual(['x']);
    expect(value).not.toBe(V.LD.default);
    expect(read({}, V.L)).toEqual([]);
  });

  it.each([',', ' , , ', ',,,'])('refuses %j, which lists nothing', (value) => {
    expect(refusal({ L: value }, V.L)).toBe(`L must be a comma-separated list of values, got "${value.trim()}"`);
  });
});

describe('url', () => {
  it('returns the URL as given, trimmed; the default when unset', () => {
    expect(read({ U: ' https://example.test:8443/x ' }, V.U)).toBe('https://example.test:8443/x');
    expect(read({}, V.UD)).toBe('http://127.0.0.1:5000');
    expect(read({}, V.U)).toBeUndefined();
  });

  it.each([
    ['no scheme', 'localhost:5000', 'got a localhost: URL'],
    ['an address and port', '127.0.0.1:5000', 'got not a URL'],
    ['a bare host', 'localhost', 'got not a URL'],
    ['another scheme', 'ftp://example.test', 'got a ftp: URL'],
    ['a relative path', '/api', 'got not a URL'],
    ['spaces inside', 'http://exa mple.test', 'got not a URL'],
    ['a bad port', 'http://example.test:99999', 'got not a URL'],
  ])('refuses %s (%s)', (_what, value, found) => {
    expect(refusal({ U: value }, V.U)).toBe(`U must be a URL starting http:// or https://, ${found}`);
  });
});

describe('flag', () => {
  it.each([
    ['1', true],
    ['TRUE', true],
    [' yes ', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['No', false],
    ['off', false],
  ])('reads %j as %s', (value, expected) => {
    expect(read({ F: value }, V.F)).toBe(expected);
  });

  it('is the default when unset, false unless given', () => {
    expect(read({}, V.F)).toBe(false);
    expect(read({ FD: '' }, V.FD)).toBe(true);
  });

  it.each(['2', 'maybe', 'y e s'])('refuses %j', (value) => {
    expect(refusal({ F: value }, V.F)).toBe(`F must be one of 1, true, yes, on, 0, false, no, off, got "${value}"`);
  });
});

describe('what --help and the docs say', () => {
  it('says what unset means: the words given, else the default, else none', () => {
    expect(unsetText(V.ND)).toBe('7');
    expect(unsetText(V.LD)).toBe('x');
    expect(unsetText(V.FD)).toBe('on');
    expect(unsetText(V.F)).toBe('off');
    expect(unsetText(V.S)).toBe('none');
    expect(unsetText({ ...V.S, unset: 'open on loopback' })).toBe('open on loopback');
  });

  it('says what each kind accepts, as the error messages do', () => {
    expect(accepts(V.N)).toBe('an integer from 1 to 100');
    expect(accepts(V.PORT1)).toBe('an integer from 1 to 65535 (a port number)');
    expect(accepts(V.U)).toBe('a URL starting http:// or https://');
    expect(accepts(V.S)).toBe('text');
  });

  it('lists each variable in --help with its default and aliases, wrapped under its own column', () => {
    const help = variablesHelp([V.N, V.UD, { ...V.S, meaning: 'word '.repeat(40).trim() }]);
    const lines = help.split('\n');
    expect(lines[0]).toBe('  N   a number (alias OLD_N)');
    expect(lines[1]).toBe('  UD  a URL with a default (default: http://127.0.0.1:5000)');
    expect(variablesHelp([{ ...V.S, unset: 'open' }, V.F])).toBe(
      '  S  a text (unset: open; alias OLD_S)\n  F  a switch (default: off)',
    );
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((line) => line.length <= 100)).toBe(true);
    expect(lines.slice(3).every((line) => line.startsWith('      word'))).toBe(true);
  });

  it('makes a markdown table row per variable, pipes escaped', () => {
    const table = variablesTable([V.N, { ...V.SD, meaning: 'a | b' }]).split('\n');
    expect(table).toEqual([
      '| variable | meaning | unset | accepts |',
      '| --- | --- | --- | --- |',
      '| `N` (alias `OLD_N`) | a number | none | an integer from 1 to 100 |',
      '| `SD` | a \\| b | `d` | text |',
    ]);
  });
});

/** The message of what `fn` throws; fails the test when it throws nothing or something else than a ConfigError. */
function fileRefusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError, got none');
}

describe('withSecretFiles (NAME_FILE, as swarm and Kubernetes mount secrets)', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'petzi-secret-files-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('reads each secret variable from its file, dropping the trailing line break, and leaves the rest as it is', () => {
    const env = {
      PETZI_WEBHOOK_SECRET_FILE: file('secret', 'one,two\n'),
      RABBITMQ_URL_FILE: file('url', 'amqp://u:p@rabbitmq:5672\r\n'),
      PORT: '80',
    };
    expect(withSecretFiles(env)).toEqual({
      ...env,
      PETZI_WEBHOOK_SECRET: 'one,two',
      RABBITMQ_URL: 'amqp://u:p@rabbitmq:5672',
    });
    expect(withSecretFiles({ PORT: '80' })).toEqual({ PORT: '80' });
  });

  it('covers every variable that carries a secret, and only those', () => {
    expect([...SECRET_FILE_VARIABLES].sort()).toEqual([
      'DASHBOARD_PASSWORD',
      'DATABASE_URL',
      'PETZI_ADMIN_KEY',
      'PETZI_API_KEY',
      'PETZI_WEBHOOK_SECRET',
      'RABBITMQ_URL',
      'RabbitMQConnection',
    ]);
    // Compose's PETZI_ENV_FILE names the .env file: it is no secret variable and is never read.
    expect(withSecretFiles({ PETZI_ENV_FILE: '/nonexistent' })).toEqual({ PETZI_ENV_FILE: '/nonexistent' });
  });

  it('refuses both forms at once, a missing file and an empty one, naming the variable and never the contents', () => {
    const both = fileRefusal(() => withSecretFiles({ PETZI_API_KEY: 'k', PETZI_API_KEY_FILE: file('key', 'k2') }));
    expect(both).toBe('set PETZI_API_KEY or PETZI_API_KEY_FILE, not both');
    const missing = path.join(dir, 'missing');
    expect(fileRefusal(() => withSecretFiles({ DATABASE_URL_FILE: missing }))).toBe(
      `DATABASE_URL_FILE names ${missing}, which cannot be read (ENOENT)`,
    );
    expect(fileRefusal(() => withSecretFiles({ DATABASE_URL_FILE: dir }))).toBe(
      `DATABASE_URL_FILE names ${dir}, which cannot be read (EISDIR)`,
    );
    const empty = file('empty', '\n');
    expect(fileRefusal(() => withSecretFiles({ DASHBOARD_PASSWORD_FILE: empty }))).toBe(
      `DASHBOARD_PASSWORD_FILE names ${empty}, which is empty`,
    );
  });

  it('treats a blank NAME_FILE as unset, like every variable', () => {
    expect(withSecretFiles({ PETZI_ADMIN_KEY_FILE: '  ', PETZI_ADMIN_KEY: 'a' })).toEqual({
      PETZI_ADMIN_KEY_FILE: '  ',
      PETZI_ADMIN_KEY: 'a',
    });
  });
});
