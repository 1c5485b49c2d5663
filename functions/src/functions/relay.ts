import type { InvocationContext } from '@azure/functions';
import { RELAY_QUEUE } from '../broker/topology';
import { decodeWebhookMessage, PoisonMessageError } from '../protocol/webhookMessage';
import { recordRelayFailure } from '../operate/relayFailures';
import { registerFunction } from '../runtime/azure';
import type { RabbitMQFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';

/**
 * RabbitMQ trigger on petzi.relay: project the ticket and forward the live event. Throwing makes
 * the trigger retry, and after five tries dead-letter the message to petzi.relay.dlq.
 */
export function relayHandler(deps: Deps): (message: unknown, context: InvocationContext) => Promise<void> {
  return async (message) => {
    try {
      await deps.relay.relay(decodeWebhookMessage(message));
    } catch (error) {
      const poison = error instanceof PoisonMessageError;
      // Counted once per try: poison messages apart, as no retry can help them.
      deps.metrics.relayed.inc({ outcome: poison ? 'rejected' : 'failed' });
      // Kept for the dead letter this may become: the broker keeps no reason.
      await recordRelayFailure(deps.pool, message, { error, poison }, (m) => deps.log.warn(m));
      throw error;
    }
  };
}

export const relayFunction: RabbitMQFunction = {
  kind: 'rabbitmq',
  name: 'relay',
  queueName: (deps) => deps.topology.relayQueue,
  azureQueueName: RELAY_QUEUE,
  handler: relayHandler,
};

registerFunction(relayFunction);
