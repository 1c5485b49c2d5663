import { ConfigError } from '../src/core/errors';
import {
  accessKeysFromEnv,
  isLoopback,
  matchesAnyKey,
  refusal,
  refuseExampleSecret,
  resolveAccess,
} from '../src/http/access';

const none = accessKeysFromEnv({});

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])('%s is loopback', (host) =>
    expect(isLoopback(host)).toBe(true),
  );
  it.each(['0.0.0.0', '::', '192.168.1.4', '10.0.0.1', 'example.org', '128.0.0.1', '::ffff:10.0.0.1'])(
    '%s is not',
    (host) => expect(isLoopback(host)).toBe(false),
  );
});

describe('resolveAccess: the one place that lets the read paths go without a key', () => {
  it('opens them only on loopback in local development', () => {
    expect(resolveAccess(none, '127.0.0.1', {}).openReads).toBe(true);
  });

  it.each([
    ['a wide bind', '0.0.0.0', {}],
    ['an interface address', '192.168.1.4', {}],
    ['production on loopback', '127.0.0.1', { NODE_ENV: 'production' }],
    ['Azure on loopback', '127.0.0.1', { WEBSITE_INSTANCE_ID: 'x' }],
  ])('refuses to start without PETZI_API_KEY with %s, naming the variable', (_name, host, env) => {
    expect(() => resolveAccess(none, host, env)).toThrow(ConfigError);
    expect(() => resolveAccess(none, host, env)).toThrow(/set PETZI_API_KEY/);
  });

  it('closes them as soon as a key is set, wherever it binds', () => {
    const keys = accessKeysFromEnv({ PETZI_API_KEY: 'a,b', PETZI_ADMIN_KEY: 'c' });
    expect(keys).toEqual({ functionKeys: ['a', 'b'], adminKeys: ['c'] });
    expect(resolveAccess(keys, '127.0.0.1', {}).openReads).toBe(false);
    expect(resolveAccess(keys, '0.0.0.0', { NODE_ENV: 'production' }).openReads).toBe(false);
  });
});

describe('refuseExampleSecret', () => {
  it('refuses the example secret when exposed, naming PETZI_WEBHOOK_SECRET', () => {
    expect(() => refuseExampleSecret(['secret'], '0.0.0.0', {})).toThrow(/set PETZI_WEBHOOK_SECRET/);
    expect(() => refuseExampleSecret(['other', 'secret'], '127.0.0.1', { NODE_ENV: 'production' })).toThrow(
      ConfigError,
    );
  });

  it('lets it be on loopback in development, and a real secret anywhere', () => {
    expect(() => refuseExampleSecret(['secret'], '127.0.0.1', {})).not.toThrow();
    expect(() => refuseExampleSecret(['a-real-one'], '0.0.0.0', { NODE_ENV: 'production' })).not.toThrow();
  });
});

describe('refusal', () => {
  const access = resolveAccess(accessKeysFromEnv({ PETZI_API_KEY: 'k1,k2', PETZI_ADMIN_KEY: 'adm' }), '127.0.0.1', {});
  const q = (text = '') => new URLSearchParams(text);

  it('admin level wants the admin key: a function key is refused, the admin key passes', () => {
    expect(refusal('admin', access, { 'x-functions-key': 'k1' }, q())).toMatch(/admin key is required/);
    expect(refusal('admin', access, {}, q('code=adm'))).toBeUndefined();
  });

  it('admin level is closed when no admin key is configured, even in open local development', () => {
    const open = resolveAccess(none, '127.0.0.1', {});
    expect(refusal('function', open, {}, q())).toBeUndefined();
    expect(refusal('admin', open, {}, q())).toMatch(/PETZI_ADMIN_KEY/);
  });

  it('anonymous needs nothing', () => {
    expect(refusal('anonymous', access, {}, q())).toBeUndefined();
  });

  it('matchesAnyKey compares whole keys, not prefixes', () => {
    expect(matchesAnyKey('k1', ['k1'])).toBe(true);
    expect(matchesAnyKey('k', ['k1'])).toBe(false);
    expect(matchesAnyKey('k11', ['k1'])).toBe(false);
    expect(matchesAnyKey('', [])).toBe(false);
  });
});
