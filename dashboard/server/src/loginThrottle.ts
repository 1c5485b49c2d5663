/**
 * A budget of failed logins per minute, for the whole server: past it, every login (right or
 * wrong) is refused until the minute is over, so a password cannot be guessed at network speed.
 * Someone guessing can keep the real user out for that long; that is the safe side.
 */
export class LoginThrottle {
  private windowStart = Number.NEGATIVE_INFINITY;
  private failures = 0;

  constructor(
    private readonly failuresPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until logins are accepted again, or 0 when they are now. */
  blockedForSeconds(): number {
    this.roll();
    if (this.failures < this.failuresPerMinute) return 0;
    return Math.max(1, Math.ceil((this.windowStart + 60_000 - this.now()) / 1000));
  }

  failed(): void {
    this.roll();
    this.failures += 1;
  }

  private roll(): void {
    if (this.now() - this.windowStart >= 60_000) {
      this.windowStart = this.now();
      this.failures = 0;
    }
  }
}
