import { LoginThrottle } from '../src/loginThrottle';
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
  it('allows the budget of failures, then refuses until the minute is over, then starts again', () => {
    let now = 5_000;
    const throttle = new LoginThrottle(3, () => now);
    for (let i = 0; i < 3; i += 1) {
      expect(throttle.blockedForSeconds()).toBe(0);
      throttle.failed();
    }
    expect(throttle.blockedForSeconds()).toBe(60);
    now += 59_500;
    expect(throttle.blockedForSeconds()).toBe(1);
    now += 500;
    expect(throttle.blockedForSeconds()).toBe(0);
  });
});
