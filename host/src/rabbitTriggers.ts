import { InvocationContext } from '@azure/functions';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { type Deps, type RabbitMQFunction, errorMessage } from '../../functions/src';
import { AckCoalescer } from './ackCoalescer';
import { contextLog } from './invocation';

/** The header the Azure RabbitMQ extension counts redeliveries in. */
const REQUEUE_HEADER = 'x-ms-rabbitmq-requeuecount';
/** Tries before the extension rejects a message to the dead-letter exchange. */
const MAX_TRIES = 5;

export interface RabbitTriggerHost {
  stop(): Promise<void>;
}

function requeueCount(message: ConsumeMessage): number {
  const raw: unknown = message.properties.headers?.[REQUEUE_HEADER];
  const count = typeof raw === 'number' ? raw : Number(raw ?? 0);
  return Number.isFinite(count) && count >= 0 ? count : 0;
}

function publishConfirmed(
  channel: ConfirmChannel,
  queue: string,
  message: ConsumeMessage,
  count: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.sendToQueue(
      queue,
      message.content,
      { ...message.properties, headers: { ...(message.properties.headers ?? {}), [REQUEUE_HEADER]: count } },
      (error: unknown) => (error ? reject(error) : resolve()),
    );
  });
}

/**
 * Consumes the queues of rabbitMQ-triggered functions with the Azure extension's semantics: the
 * queue must already exist; a failed invocation is re-published with the requeue count header
 * incremented; after MAX_TRIES it is rejected so the queue's dead-letter exchange takes it.
 * Consumers come back by themselves after a broker reconnect.
 */
export async function startRabbitTriggers(
  functions: RabbitMQFunction[],
  deps: Deps,
  onError: (message: string) => void,
  prefetch = 500,
): Promise<RabbitTriggerHost> {
  let stopping = false;
  const channels = new Set<{ channel: ConfirmChannel; tag: string }>();
  const inFlight = new Set<Promise<void>>();

  for (const fn of functions) {
    const queue = fn.queueName(deps);
    const handler = fn.handler(deps);
    await deps.broker.addSetup(async (model) => {
      if (stopping) return;
      const channel = await model.createConfirmChannel();
      channel.on('error', (error: Error) => onError(`trigger ${fn.name} channel: ${error.message}`));
      await channel.checkQueue(queue);
      await channel.prefetch(prefetch);
      const entry = { channel, tag: '' };
      const acks = new AckCoalescer(channel, (error) =>
        onError(`trigger ${fn.name}: could not ack: ${errorMessage(error)}`),
      );
      const { consumerTag } = await channel.consume(queue, (message) => {
        if (!message) return;
        acks.delivered(message);
        const work = invoke(channel, acks, message);
        inFlight.add(work);
        void work.finally(() => inFlight.delete(work));
      });
      entry.tag = consumerTag;
      channels.add(entry);
      channel.on('close', () => channels.delete(entry));
    });

    async function invoke(channel: ConfirmChannel, acks: AckCoalescer, message: ConsumeMessage): Promise<void> {
      const count = requeueCount(message);
      const context = new InvocationContext({
        invocationId: randomUUID(),
        functionName: fn.name,
        logHandler: contextLog(deps.log, fn.name),
        triggerMetadata: {
          messageId: message.properties.messageId,
          routingKey: message.fields.routingKey,
          deliveryTag: message.fields.deliveryTag,
          redelivered: message.fields.redelivered,
          requeueCount: count,
          headers: message.properties.headers ?? {},
        },
        options: { trigger: { type: 'rabbitMQTrigger', name: 'message' } },
      });
      try {
        await handler(message.content, context);
        acks.ack(message);
      } catch (error) {
        try {
          if (count + 1 >= MAX_TRIES) {
            onError(
              `trigger ${fn.name}: message ${message.properties.messageId ?? '?'} failed ${count + 1} times, dead-lettered: ${errorMessage(error)}`,
            );
            acks.forget(message);
            channel.nack(message, false, false);
          } else {
            await publishConfirmed(channel, queue, message, count + 1);
            acks.ack(message);
          }
        } catch (requeueError) {
          // The channel is gone: the broker redelivers the unacknowledged message itself.
          onError(`trigger ${fn.name}: could not requeue: ${errorMessage(requeueError)}`);
        }
      }
    }
  }

  return {
    async stop() {
      stopping = true;
      await Promise.allSettled([...channels].map(({ channel, tag }) => channel.cancel(tag)));
      await Promise.allSettled([...inFlight]);
      await Promise.allSettled([...channels].map(({ channel }) => channel.close()));
    },
  };
}
