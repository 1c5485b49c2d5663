import { addressKey, LoginThrottle } from '../src/loginThrottle';
import { SessionStore } from '../src/sessions';

describe('SessionStore', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('knows the sessions it created, keeps them alive while used, and ends them after idleMs unused', () => {
    const store = new SessionStore({ idleMs: 1000, now: clock }, undefined);
    const id = store.create();
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    now += 900;
    expect(store.touch(id)).toBe(true);
    now += 900;
    expect(store.touch(id)).toBe(true);
    now += 1001;
    expect(store.touch(id)).toBe(false);
    expect(store.touch('made-up')).toBe(false);
    expect(store.touch(undefined)).toBe(false);
  });

  it('ends a session on logout', () => {
    const store = new SessionStore({ idleMs: 1000, now: clock }, undefined);
    const id = store.create();
    store.destroy(id);
    expect(store.touch(id)).toBe(false);
  });

  it('exchanges the login token once; a wrong token never, and without a token nothing', () => {
    const store = new SessionStore({ idleMs: 1000, now: clock }, 'tok');
    expect(store.redeem('tox')).toBeUndefined();
    const session = store.redeem('tok');
    expect(session).toBeDefined();
    expect(store.touch(session)).toBe(true);
    expect(store.redeem('tok')).toBeUndefined();
    expect(new SessionStore({ idleMs: 1000 }, undefined).redeem('')).toBeUndefined();
  });
});

describe('LoginThrottle', () => {
  let now = 5_000;
  const throttle = (perAddress: number, ceiling: number, maxTracked?: number) =>
    new LoginThrottle({ perAddress, ceiling, maxTracked, now: () => now });

  beforeEach(() => {
    now = 5_000;
  });

  it('allows an address its budget of failures, then refuses that address until the minute is over, then starts again', () => {
    const t = throttle(3, 100);
    for (let i = 0; i < 3; i += 1) {
      expect(t.blockedForSeconds('10.0.0.1')).toBe(0);
      t.failed('10.0.0.1');
    }
    expect(t.blockedForSeconds('10.0.0.1')).toBe(60);
    now += 59_500;
    expect(t.blockedForSeconds('10.0.0.1')).toBe(1);
    now += 500;
    expect(t.blockedForSeconds('10.0.0.1')).toBe(0);
  });

  it("never holds one address's failures against another", () => {
    const t = throttle(3, 100);
    for (let i = 0; i < 50; i += 1) t.failed('10.0.0.1');
    expect(t.blockedForSeconds('10.0.0.1')).toBe(60);
    expect(t.blockedForSeconds('10.0.0.2')).toBe(0);
    expect(t.blockedForSeconds('::ffff:10.0.0.2')).toBe(0);
  });

  it('past the global ceiling, an address that failed waits, while one that has not still gets its login checked', () => {
    const t = throttle(10, 5);
    for (let i = 1; i <= 5; i += 1) t.failed(`10.0.1.${i}`);
    // Each of the guessing addresses had one guess this minute; that is all they get now.
    for (let i = 1; i <= 5; i += 1) expect(t.blockedForSeconds(`10.0.1.${i}`)).toBe(60);
    // The real user, from an address with no failure, is checked (a right password gets in).
    expect(t.blockedForSeconds('192.0.2.7')).toBe(0);
    // A typo from there under the ceiling, and that address waits too.
    t.failed('192.0.2.7');
    expect(t.blockedForSeconds('192.0.2.7')).toBe(60);
    now += 60_000;
    expect(t.blockedForSeconds('10.0.1.1')).toBe(0);
  });

  it('counts IPv4-mapped addresses as IPv4 and IPv6 addresses by their /64', () => {
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    const t = throttle(2, 100);
    t.failed('2001:db8:1:2::1');
    t.failed('2001:db8:1:2::2');
    expect(t.blockedForSeconds('2001:db8:1:2::3')).toBe(60);
    expect(t.blockedForSeconds('2001:db8:1:3::1')).toBe(0);
  });

  it('tracks a bounded number of addresses; past it and past the ceiling, an untracked address waits', () => {
    const t = throttle(10, 4, 3);
    for (let i = 1; i <= 4; i += 1) t.failed(`10.0.2.${i}`);
    expect(t.blockedForSeconds('10.0.2.4')).toBe(60);
    expect(t.blockedForSeconds('10.0.2.200')).toBe(60);
  });
});
