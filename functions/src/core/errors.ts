/** Postgres could not be reached or refused work: the caller should retry later (503). */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  constructor(override readonly cause: unknown) {
    super(`Database unavailable: ${errorMessage(cause)}`);
  }
}

/**
 * The database is up but this transaction lost a race (deadlock, serialization failure, lock or
 * statement timeout): the same work succeeds when tried again, so the caller still says "retry
 * later" (503), but a batch that fails this way is split and retried, not failed as a whole.
 */
export class TransientDatabaseError extends DatabaseUnavailableError {
  override name = 'TransientDatabaseError';
}

/** A failure that is no item's fault and that a smaller batch would not escape. */
export function isOutage(error: unknown): boolean {
  return error instanceof DatabaseUnavailableError && !(error instanceof TransientDatabaseError);
}

/**
 * Postgres refused the row itself: a data exception (class 22), an integrity constraint (class 23)
 * or a program limit (54xxx, e.g. an index entry too large). Retrying the same row cannot help.
 */
export class UnstorableValueError extends Error {
  override name = 'UnstorableValueError';
  constructor(override readonly cause: unknown) {
    super(`Value cannot be stored: ${errorMessage(cause)}`);
  }
}

/** A variable or argument a process cannot run with; the message names it and what it accepts. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Connection-level failures: network errors, pool timeouts, server shutting down or starting up. */
export function isUnavailable(error: unknown): boolean {
  const code = sqlState(error);
  if (code !== undefined) {
    if (NETWORK_CODES.has(code)) return true;
    // 08: connection exception; 57P0x: admin/crash shutdown, cannot connect now; 53300: too many connections.
    if (code.startsWith('08') || code.startsWith('57P') || code === '53300') return true;
  }
  const message = errorMessage(error);
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
    message,
  );
}

function isTransient(error: unknown): boolean {
  const code = sqlState(error);
  // 40: serialization failure or deadlock; 55P03: lock not available; 57014: statement cancelled.
  return code !== undefined && (code.startsWith('40') || code === '55P03' || code === '57014');
}

export function isDataError(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23') || code.startsWith('54'));
}

/** Maps driver errors to the two kinds callers act on; anything else is a bug and passes through. */
export function classifyDbError(error: unknown): unknown {
  if (isUnavailable(error)) return new DatabaseUnavailableError(error);
  if (isTransient(error)) return new TransientDatabaseError(error);
  if (isDataError(error)) return new UnstorableValueError(error);
  return error;
}
