import type { Channel } from 'amqplib';

/**
 * The broker topology, declared idempotently by every process at start and after each reconnect.
 * infra/rabbitmq/definitions.json loads the same objects into a container broker; a test keeps the two equal.
 */
export const WEBHOOK_EXCHANGE = 'petzi.webhooks';
export const RELAY_QUEUE = 'petzi.relay';
export const DEAD_LETTER_EXCHANGE = 'petzi.dlx';
export const RELAY_DEAD_LETTER_QUEUE = 'petzi.relay.dlq';
export const LIVE_EXCHANGE = 'petzi.live';

export interface TopologyNames {
  webhookExchange: string;
  relayQueue: string;
  deadLetterExchange: string;
  relayDeadLetterQueue: string;
  liveExchange: string;
}

export const DEFAULT_TOPOLOGY: TopologyNames = {
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

export async function declareTopology(channel: Channel, names: TopologyNames = DEFAULT_TOPOLOGY): Promise<void> {
  await channel.assertExchange(names.webhookExchange, 'topic', { durable: true });
  await channel.assertExchange(names.deadLetterExchange, 'direct', { durable: true });
  await channel.assertExchange(names.liveExchange, 'fanout', { durable: true });
  await channel.assertQueue(names.relayDeadLetterQueue, { durable: true });
  await channel.bindQueue(names.relayDeadLetterQueue, names.deadLetterExchange, names.relayDeadLetterQueue);
  await channel.assertQueue(names.relayQueue, {
    durable: true,
    arguments: {
      'x-dead-letter-exchange': names.deadLetterExchange,
      'x-dead-letter-routing-key': names.relayDeadLetterQueue,
    },
  });
  // Every event type is relayed; the relay dead-letters those it cannot handle, so none vanish.
  await channel.bindQueue(names.relayQueue, names.webhookExchange, '#');
}
