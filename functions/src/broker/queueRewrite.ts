import type { Channel, GetMessage, Options } from 'amqplib';
import { BrokerUnavailableError, type BrokerConnection } from './connection';
import { errorMessage } from '../core/errors';

export interface QueueRewrite {
  /** Messages taken from the queue and looked at. */
  scanned: number;
  /** Messages replaced by the content `rewrite` returned. */
  rewritten: number;
}

/** The properties a replacement keeps from the original, as they are. */
const KEPT_PROPERTIES = [
  'contentType',
  'contentEncoding',
  'priority',
  'correlationId',
  'replyTo',
  'expiration',
  'messageId',
  'timestamp',
  'type',
  'appId',
] as const;

/**
 * The properties to publish a message's replacement with: the original's, but user-id (the broker
 * checks it against the login).
 */
function republishOptions(message: GetMessage, mark: Record<string, unknown>): Options.Publish {
  const { headers, deliveryMode } = message.properties;
  const options: Record<string, unknown> = { headers: { ...(headers ?? {}), ...mark }, persistent: deliveryMode === 2 };
  for (const key of KEPT_PROPERTIES) {
    const value: unknown = message.properties[key];
    if (value !== undefined && value !== null) options[key] = value;
  }
  return options as Options.Publish;
}

/**
 * Replaces, in a queue, the messages `rewrite` gives new content for; the others stay as they were.
 * RabbitMQ cannot change or remove one chosen message: each message the queue holds when this
 * starts is taken (basic.get, unacknowledged) and looked at. One to change is published again to
 * the queue with its properties and headers plus `mark`, confirmed, and only then acknowledged,
 * so a failure leaves the original; the rest are given back (requeued) at the end, where the
 * broker puts them back in their places. Messages a consumer holds meanwhile are not seen.
 * `rewrite` must return nothing for content it made: when a consumer drains the queue meanwhile,
 * a replacement can come round again before the count of messages at the start is reached.
 */
export async function rewriteQueue(
  broker: BrokerConnection,
  queue: string,
  rewrite: (content: Buffer) => Buffer | undefined,
  mark: Record<string, unknown> = {},
): Promise<QueueRewrite> {
  let channel: Channel;
  try {
    channel = await broker.createChannel();
  } catch (error) {
    throw error instanceof BrokerUnavailableError
      ? error
      : new BrokerUnavailableError(`RabbitMQ channel: ${errorMessage(error)}`);
  }
  // A channel error (the queue gone, the connection lost) rejects the operation in progress.
  channel.on('error', () => undefined);
  const result: QueueRewrite = { scanned: 0, rewritten: 0 };
  try {
    const { messageCount } = await channel.checkQueue(queue);
    // Only as many as the queue held at the start: replacements go to the back.
    while (result.scanned < messageCount) {
      const message = await channel.get(queue, { noAck: false });
      if (message === false) break;
      result.scanned += 1;
      const replacement = rewrite(message.content);
      if (replacement === undefined) continue;
      await broker.publish('', queue, replacement, republishOptions(message, mark));
      channel.ack(message);
      result.rewritten += 1;
    }
    channel.nackAll(true);
    await channel.close();
    return result;
  } catch (error) {
    // Closing the channel gives back every message still unacknowledged.
    await channel.close().catch(() => undefined);
    throw error instanceof BrokerUnavailableError
      ? error
      : new BrokerUnavailableError(`Rewriting ${queue} failed: ${errorMessage(error)}`);
  }
}
