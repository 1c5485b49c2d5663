import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { flag, first, int, list, port, SECRET_FILE_VARIABLES, string, url, withSecretFiles } from '../src/core/env';
import { ConfigError } from '../src/core/errors';

/** The message of what `read` throws; fails the test when it throws nothing or something else. */
function refusal(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('first and string', () => {
  it('read the design name before the aliases, trimmed, blank as unset', () => {
    expect(first({ A: '  ', B: ' b ', C: 'c' }, 'A', 'B', 'C')).toBe('b');
    expect(string({ OLD: 'old', NEW: 'new' }, 'NEW', { aliases: ['OLD'] })).toBe('new');
    expect(string({ OLD: ' old ' }, 'NEW', { aliases: ['OLD'] })).toBe('old');
    expect(string({ NEW: '' }, 'NEW', { default: 'd' })).toBe('d');
    expect(string({}, 'NEW')).toBeUndefined();
  });
});

describe('int', () => {
  const range = { min: 1, max: 100 };

  it('reads decimal integers, trimmed, within the range; unset or blank is the default', () => {
    expect(int({ N: ' 42 ' }, 'N', { ...range, default: 7 })).toBe(42);
    expect(int({ N: '1' }, 'N', range)).toBe(1);
    expect(int({ N: '100' }, 'N', range)).toBe(100);
    expect(int({}, 'N', { ...range, default: 7 })).toBe(7);
    expect(int({ N: '' }, 'N', { ...range, default: 7 })).toBe(7);
    expect(int({ N: '   ' }, 'N', { ...range, default: 7 })).toBe(7);
    expect(int({}, 'N', range)).toBeUndefined();
    expect(int({ OLD: '5' }, 'N', { ...range, aliases: ['OLD'] })).toBe(5);
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
    expect(refusal(() => int({ N: value }, 'N', range))).toBe(`N must be an integer from 1 to 100, got "${value}"`);
  });

  it('says a positive integer, or at least the minimum, when there is no maximum; and the unit', () => {
    expect(refusal(() => int({ N: '0' }, 'N', { min: 1 }))).toBe('N must be a positive integer, got "0"');
    expect(refusal(() => int({ N: '5' }, 'N', { min: 100, unit: 'milliseconds' }))).toBe('N must be an integer of at least 100 (milliseconds), got "5"');
    expect(refusal(() => int({ N: '99999999999999999999' }, 'N', { min: 1 }))).toMatch(/positive integer/);
  });

  it('names the alias that was set, not the design name', () => {
    expect(refusal(() => int({ OLD: 'x' }, 'N', { ...range, aliases: ['OLD'] }))).toMatch(/^OLD must be/);
  });
});

describe('port', () => {
  it('reads 0 to 65535 (0: any free port) unless min is 1', () => {
    expect(port({ PORT: '0' }, 'PORT', { default: 5000 })).toBe(0);
    expect(port({ PORT: '65535' }, 'PORT', { default: 5000 })).toBe(65535);
    expect(port({}, 'PORT', { default: 5000 })).toBe(5000);
    expect(refusal(() => port({ PORT: '0' }, 'PORT', { default: 5000, min: 1 }))).toBe('PORT must be an integer from 1 to 65535 (a port number), got "0"');
  });

  it.each(['65536', '-1', 'http', '80.5', '1e3', '0x50', '99999999999999999999'])('refuses PORT=%s', (value) => {
    expect(refusal(() => port({ PORT: value }, 'PORT', { default: 5000 }))).toBe(`PORT must be an integer from 0 to 65535 (a port number, 0 for any free port), got "${value}"`);
  });
});

describe('list', () => {
  it('splits on commas, trims each item and drops blank ones', () => {
    expect(list({ L: ' a, b ,,c,' }, 'L')).toEqual(['a', 'b', 'c']);
    expect(list({ L: 'only' }, 'L')).toEqual(['only']);
  });

  it('is the default (a copy) when unset or blank', () => {
    const fallback = ['x'];
    const read = list({ L: ' ' }, 'L', { default: fallback });
    expect(read).toEqual(['x']);
    expect(read).not.toBe(fallback);
    expect(list({}, 'L')).toEqual([]);
  });

  it.each([',', ' , , ', ',,,'])('refuses %j, which lists nothing', (value) => {
    expect(refusal(() => list({ L: value }, 'L'))).toBe(`L must be a comma-separated list of values, got "${value.trim()}"`);
  });
});

describe('url', () => {
  const http = { protocols: ['http', 'https'] };

  it('returns the URL as given, trimmed; the default when unset', () => {
    expect(url({ U: ' https://example.test:8443/x ' }, 'U', http)).toBe('https://example.test:8443/x');
    expect(url({}, 'U', { ...http, default: 'http://127.0.0.1:5000' })).toBe('http://127.0.0.1:5000');
    expect(url({}, 'U', http)).toBeUndefined();
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
    expect(refusal(() => url({ U: value }, 'U', http))).toBe(`U must be a URL starting http:// or https://, ${found}`);
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
    expect(flag({ F: value }, 'F')).toBe(expected);
  });

  it('is the default when unset, false unless given', () => {
    expect(flag({}, 'F')).toBe(false);
    expect(flag({ F: '' }, 'F', { default: true })).toBe(true);
  });

  it.each(['2', 'maybe', 'y e s'])('refuses %j', (value) => {
    expect(refusal(() => flag({ F: value }, 'F'))).toBe(`F must be one of 1, true, yes, on, 0, false, no, off, got "${value}"`);
  });
});

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
    expect(withSecretFiles(env)).toEqual({ ...env, PETZI_WEBHOOK_SECRET: 'one,two', RABBITMQ_URL: 'amqp://u:p@rabbitmq:5672' });
    expect(withSecretFiles({ PORT: '80' })).toEqual({ PORT: '80' });
  });

  it('covers every variable that carries a secret, and only those', () => {
    expect([...SECRET_FILE_VARIABLES].sort()).toEqual(['DASHBOARD_PASSWORD', 'DATABASE_URL', 'PETZI_ADMIN_KEY', 'PETZI_API_KEY', 'PETZI_WEBHOOK_SECRET', 'RABBITMQ_URL', 'RabbitMQConnection']);
    // Compose's PETZI_ENV_FILE names the .env file: it is no secret variable and is never read.
    expect(withSecretFiles({ PETZI_ENV_FILE: '/nonexistent' })).toEqual({ PETZI_ENV_FILE: '/nonexistent' });
  });

  it('refuses both forms at once, a missing file and an empty one, naming the variable and never the contents', () => {
    const both = refusal(() => withSecretFiles({ PETZI_API_KEY: 'k', PETZI_API_KEY_FILE: file('key', 'k2') }));
    expect(both).toBe('set PETZI_API_KEY or PETZI_API_KEY_FILE, not both');
    const missing = path.join(dir, 'missing');
    expect(refusal(() => withSecretFiles({ DATABASE_URL_FILE: missing }))).toBe(`DATABASE_URL_FILE names ${missing}, which cannot be read (ENOENT)`);
    expect(refusal(() => withSecretFiles({ DATABASE_URL_FILE: dir }))).toBe(`DATABASE_URL_FILE names ${dir}, which cannot be read (EISDIR)`);
    const empty = file('empty', '\n');
    expect(refusal(() => withSecretFiles({ DASHBOARD_PASSWORD_FILE: empty }))).toBe(`DASHBOARD_PASSWORD_FILE names ${empty}, which is empty`);
  });

  it('treats a blank NAME_FILE as unset, like every variable', () => {
    expect(withSecretFiles({ PETZI_ADMIN_KEY_FILE: '  ', PETZI_ADMIN_KEY: 'a' })).toEqual({ PETZI_ADMIN_KEY_FILE: '  ', PETZI_ADMIN_KEY: 'a' });
  });
});
