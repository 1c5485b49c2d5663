import type { InvocationContext, Timer } from '@azure/functions';
import { pruneAttempts } from '../operate/attemptsSql';
import { registerFunction } from '../runtime/azure';
import type { TimerFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';

const DAY_MS = 24 * 3600 * 1000;

/** Hourly: the delivery log forgets requests older than ATTEMPT_RETENTION_DAYS (default 14). */
export function attemptRetentionHandler(deps: Deps): (timer: Timer, context: InvocationContext) => Promise<void> {
  return async (_timer, context) => {
    const days = deps.config.attemptRetentionDays;
    const pruned = await pruneAttempts(deps.pool, new Date(deps.now() - days * DAY_MS));
    if (pruned > 0) context.log(`attempt retention: pruned ${pruned} delivery log records older than ${days} days`);
  };
}

export const attemptRetentionFunction: TimerFunction = {
  kind: 'timer',
  name: 'attemptRetention',
  schedule: '0 30 * * * *',
  handler: attemptRetentionHandler,
};

registerFunction(attemptRetentionFunction);
