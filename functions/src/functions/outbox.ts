import type { InvocationContext, Timer } from '@azure/functions';
import { registerFunction } from '../runtime/azure';
import type { TimerFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';
import { runOutbox } from '../outbox/outbox';

/** Every 5 seconds: publish what the request path could not (broker down, process killed). */
export function outboxHandler(deps: Deps): (timer: Timer, context: InvocationContext) => Promise<void> {
  return async (_timer, context) => {
    const result = await runOutbox({
      pool: deps.pool,
      broker: deps.broker,
      exchange: deps.topology.webhookExchange,
      metrics: deps.metrics,
      graceSeconds: deps.config.outboxGraceSeconds,
    });
    if (result.published > 0 || result.failed > 0) {
      context.log(`outbox published ${result.published}, failed ${result.failed}`);
    }
  };
}

export const outboxFunction: TimerFunction = {
  kind: 'timer',
  name: 'outbox',
  schedule: '*/5 * * * * *',
  handler: outboxHandler,
};

registerFunction(outboxFunction);
