import type { Channel } from 'amqplib';
import type { RelayQueueType } from '../core/config';

/**
 * The broker topology, declared idempotently by every process at start and after each reconnect.
 * infra/rabbitmq/definitions.json loads the same objects into a container broker; a test keeps the two equal.
 */
const WEBHOOK_EXCHANGE = 'petzi.webhooks';
export const RELAY_QUEUE = 'petzi.relay';
const DEAD_LETTER_EXCHANGE = 'petzi.dlx';
export const RELAY_DEAD_LETTER_QUEUE = 'petzi.relay.dlq';
const LIVE_EXCHANGE = 'petzi.live';

export interface TopologyNames {
  webhookExchange: string;
  relayQueue: string;
  deadLetterExchange: string;
  relayDeadLetterQueue: string;
  liveExchange: string;
}

const DEFAULT_TOPOLOGY: TopologyNames = {
  webhookExchange: WEBHOOK_EXCHANGE,
  relayQueue: RELAY_QUEUE,
  deadLetterExchange: DEAD_LETTER_EXCHANGE,
  relayDeadLetterQueue: RELAY_DEAD_LETTER_QUEUE,
  liveExchange: LIVE_EXCHANGE,
};

/** Tests pass a prefix so each test owns its exchanges and queues. */
export function topologyNames(prefix = ''): TopologyNames {
  if (prefix === '') return DEFAULT_TOPOLOGY;
  return {
    webhookExchange: `${prefix}.${WEBHOOK_EXCHANGE}`,
    relayQueue: `${prefix}.${RELAY_QUEUE}`,
    deadLetterExchange: `${prefix}.${DEAD_LETTER_EXCHANGE}`,
    relayDeadLetterQueue: `${prefix}.${RELAY_DEAD_LETTER_QUEUE}`,
    liveExchange: `${prefix}.${LIVE_EXCHANGE}`,
  };
}

/**
 * Deliveries of one message (first plus returns) after which a quorum queue dead-letters it. The
 * trigger's own retries re-publish a failed message (the requeue-count header, as the Azure
 * extension does), so this counts only returns the trigger never saw: a consumer that died or lost
 * its connection holding the message. Ten is far above what a few lost consumers cost one message,
 * and still ends a message that crashes every consumer it reaches.
 */
export const QUORUM_DELIVERY_LIMIT = 10;

/** The relay queues' arguments beyond dead-lettering, per queue type (definitions.quorum.json holds the same). */
function relayQueueArguments(type: RelayQueueType): {
  relay: Record<string, unknown>;
  deadLetters: Record<string, unknown>;
} {
  if (type === 'classic') return { relay: {}, deadLetters: {} };
  return {
    relay: {
      'x-queue-type': 'quorum',
      // A quorum queue dead-letters at most once unless told otherwise: a dead letter the DLQ did not
      // confirm would be dropped. At least once needs the queue to refuse publishes when full.
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
      'x-delivery-limit': QUORUM_DELIVERY_LIMIT,
    },
    deadLetters: { 'x-queue-type': 'quorum' },
  };
}

export async function declareTopology(
  channel: Channel,
  names: TopologyNames = DEFAULT_TOPOLOGY,
  queueType: RelayQueueType = 'classic',
): Promise<void> {
  const extra = relayQueueArguments(queueType);
  await channel.assertExchange(names.webhookExchange, 'topic', { durable: true });
  await channel.assertExchange(names.deadLetterExchange, 'direct', { durable: true });
  await channel.assertExchange(names.liveExchange, 'fanout', { durable: true });
  await channel.assertQueue(names.relayDeadLetterQueue, { durable: true, arguments: extra.deadLetters });
  await channel.bindQueue(names.relayDeadLetterQueue, names.deadLetterExchange, names.relayDeadLetterQueue);
  await channel.assertQueue(names.relayQueue, {
    durable: true,
    arguments: {
      'x-dead-letter-exchange': names.deadLetterExchange,
      'x-dead-letter-routing-key': names.relayDeadLetterQueue,
      ...extra.relay,
    },
  });
  // Every event type is relayed; the relay dead-letters those it cannot handle, so none vanish.
  await channel.bindQueue(names.relayQueue, names.webhookExchange, '#');
}
