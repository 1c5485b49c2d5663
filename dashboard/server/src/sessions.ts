import { matchesAnyKey, randomSecret } from '../../../functions/src';

export interface SessionStoreOptions {
  /** A session ends this long after its last use. */
  idleMs: number;
  now?: () => number;
}

/**
 * The dashboard's logins, in memory: a restart logs everyone out, which is the safe side. Also
 * holds the one-click login token (npm start prints it), good for one exchange only.
 */
export class SessionStore {
  private readonly sessions = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly options: SessionStoreOptions,
    private loginToken: string | undefined,
  ) {
    this.now = options.now ?? Date.now;
  }

  create(): string {
    this.sweep();
    const id = randomSecret();
    this.sessions.set(id, this.now());
    return id;
  }

  /** True for a live session, whose idle clock restarts. */
  touch(id: string | undefined): boolean {
    if (id === undefined) return false;
    const last = this.sessions.get(id);
    if (last === undefined) return false;
    if (this.now() - last > this.options.idleMs) {
      this.sessions.delete(id);
      return false;
    }
    this.sessions.set(id, this.now());
    return true;
  }

  destroy(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  /** Exchanges the login token for a new session, once; any later try, or a wrong token, gets undefined. */
  redeem(token: string): string | undefined {
    const expected = this.loginToken;
    if (expected === undefined || !matchesAnyKey(token, [expected])) return undefined;
    this.loginToken = undefined;
    return this.create();
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, last] of this.sessions) if (now - last > this.options.idleMs) this.sessions.delete(id);
  }
}
