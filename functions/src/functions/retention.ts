import type { InvocationContext, Timer } from '@azure/functions';
import { registerFunction } from '../runtime/azure';
import type { TimerFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';
import { blankBuyersReceivedBefore } from '../read-api/buyerErasure';

const DAY_MS = 24 * 3600 * 1000;

/** Hourly, when RAW_RETENTION_DAYS is set: stored webhooks older than that keep no buyer's name, email or postcode. */
export function retentionHandler(deps: Deps): (timer: Timer, context: InvocationContext) => Promise<void> {
  return async (_timer, context) => {
    const days = deps.config.rawRetentionDays;
    if (days === undefined) return;
    const blanked = await blankBuyersReceivedBefore(deps.pool, new Date(deps.now() - days * DAY_MS));
    if (blanked > 0) context.log(`retention: blanked the buyer of ${blanked} webhooks older than ${days} days`);
  };
}

export const retentionFunction: TimerFunction = {
  kind: 'timer',
  name: 'retention',
  schedule: '0 0 * * * *',
  handler: retentionHandler,
};

registerFunction(retentionFunction);
