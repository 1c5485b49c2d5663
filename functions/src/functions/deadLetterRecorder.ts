import type { InvocationContext } from '@azure/functions';
import { RELAY_DEAD_LETTER_QUEUE } from '../broker/topology';
import { recordDeadLetter } from '../operate/deadLetterRecorder';
import { registerFunction } from '../runtime/azure';
import type { RabbitMQFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';

/**
 * RabbitMQ trigger on petzi.relay.dlq: records each dead letter in Postgres (reason, tries, when)
 * and, by returning, acknowledges it. The queue is drained: Postgres is the list an operator
 * reads and redrives from, since RabbitMQ cannot take one chosen message out of a queue.
 */
export function deadLetterRecorderHandler(deps: Deps): (message: unknown, context: InvocationContext) => Promise<void> {
  return async (message, context) => {
    await recordDeadLetter(
      { pool: deps.pool, metrics: deps.operations, log: (m) => deps.log.warn(m) },
      message,
      context.triggerMetadata?.headers,
    );
  };
}

export const deadLetterRecorderFunction: RabbitMQFunction = {
  kind: 'rabbitmq',
  name: 'deadLetterRecorder',
  queueName: (deps) => deps.topology.relayDeadLetterQueue,
  azureQueueName: RELAY_DEAD_LETTER_QUEUE,
  handler: deadLetterRecorderHandler,
};

registerFunction(deadLetterRecorderFunction);
