import { isIP } from 'node:net';

export interface LoginThrottleOptions {
  /** Failed logins one client address may make per minute; past it, that address waits for the next minute. */
  perAddress: number;
  /**
   * Failed logins per minute from all addresses together; past it (a guess from many addresses),
   * an address that has failed once this minute waits for the next, while an address that has not
   * failed yet still has its password checked: the real user's right password gets in.
   */
  ceiling: number;
  /** Addresses tracked per minute at most; past it (and the ceiling), an untracked address waits too. */
  maxTracked?: number;
  now?: () => number;
}

const WINDOW_MS = 60_000;

/**
 * The key an address is counted under: an IPv4 address (IPv4-mapped IPv6 included) as it is, an
 * IPv6 address by its /64, which one machine usually holds whole.
 */
export function addressKey(address: string): string {
  const bare = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  if (isIP(bare) !== 6) return bare;
  const [head, tail = ''] = bare.toLowerCase().split('::');
  const groups = [...head.split(':').filter(Boolean)];
  const rest = tail.split(':').filter(Boolean);
  const full = [...groups, ...Array<string>(8 - groups.length - rest.length).fill('0'), ...rest];
  return `${full.slice(0, 4).join(':')}::/64`;
}

/**
 * A budget of failed logins per client address per minute, under a global ceiling: a password
 * cannot be guessed at network speed from one address, nor from many, and nobody's wrong guesses
 * lock out a user whose first try from their own address is right.
 */
export class LoginThrottle {
  private windowStart = Number.NEGATIVE_INFINITY;
  private total = 0;
  private readonly byAddress = new Map<string, number>();
  private readonly now: () => number;
  private readonly maxTracked: number;

  constructor(private readonly options: LoginThrottleOptions) {
    this.now = options.now ?? Date.now;
    this.maxTracked = options.maxTracked ?? 10_000;
  }

  /** Seconds until this address may try again, or 0 when its login is checked now. */
  blockedForSeconds(address: string): number {
    this.roll();
    const key = addressKey(address);
    const failures = this.byAddress.get(key) ?? 0;
    const underAttack = this.total >= this.options.ceiling;
    const blocked =
      failures >= this.options.perAddress ||
      (underAttack && failures > 0) ||
      (underAttack && !this.byAddress.has(key) && this.byAddress.size >= this.maxTracked);
    return blocked ? Math.max(1, Math.ceil((this.windowStart + WINDOW_MS - this.now()) / 1000)) : 0;
  }

  failed(address: string): void {
    this.roll();
    this.total += 1;
    const key = addressKey(address);
    if (!this.byAddress.has(key) && this.byAddress.size >= this.maxTracked) return;
    this.byAddress.set(key, (this.byAddress.get(key) ?? 0) + 1);
  }

  private roll(): void {
    if (this.now() - this.windowStart >= WINDOW_MS) {
      this.windowStart = this.now();
      this.total = 0;
      this.byAddress.clear();
    }
  }
}
