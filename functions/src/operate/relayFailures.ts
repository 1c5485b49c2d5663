import type { Pool } from 'pg';
import { DatabaseUnavailableError, errorMessage, UnstorableValueError } from '../core/errors';
import { isPositiveId } from '../protocol/webhookMessage';
import { upsertRelayFailure } from './deadLettersSql';

/** The id of the webhook a relay message carries, if it carries one; nothing more is checked. */
export function webhookIdOf(message: unknown): number | undefined {
  let value: unknown = message;
  try {
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) value = Buffer.from(value).toString('utf8');
    if (typeof value === 'string') value = JSON.parse(value);
  } catch {
    return undefined;
  }
  const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
  return isPositiveId(id) ? id : undefined;
}

/**
 * A short class of a relay failure: the label of relay_dead_letters_waiting. `poison` is the
 * relay's own verdict (a message no retry can help), passed in as it is the relay's error type.
 */
export function failureKind(error: unknown, poison: boolean): string {
  if (poison) return 'poison';
  if (error instanceof UnstorableValueError) return 'unstorable';
  if (error instanceof DatabaseUnavailableError) return 'database';
  return 'error';
}

const MAX_REASON = 1_000;

/**
 * The one place the relay's failures are kept: the dead-letter recorder takes its reason from
 * here, since the broker's dead-lettering keeps no error text. Never throws: failing to keep the
 * reason must not change what happens to the message.
 */
export async function recordRelayFailure(
  pool: Pool,
  message: unknown,
  failure: { error: unknown; poison: boolean },
  log: (message: string) => void,
): Promise<void> {
  const webhookId = webhookIdOf(message);
  if (webhookId === undefined) return;
  try {
    await upsertRelayFailure(
      pool,
      webhookId,
      failureKind(failure.error, failure.poison),
      errorMessage(failure.error).slice(0, MAX_REASON),
    );
  } catch (recordError) {
    log(`relay failure of webhook ${webhookId} not recorded: ${errorMessage(recordError)}`);
  }
}
