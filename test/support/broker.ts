import * as amqp from 'amqplib';
import { decodeLiveBatch, type LiveEvent } from '../../functions/src';
import { TEST_RABBITMQ_URL } from './env';

export interface CapturedMessage {
  routingKey: string;
  content: Buffer;
  properties: amqp.MessageProperties;
  json(): unknown;
}

export interface Capture {
  messages: CapturedMessage[];
  /** Resolves once at least `count` messages arrived; rejects after timeoutMs. */
  waitFor(count: number, timeoutMs?: number): Promise<CapturedMessage[]>;
  close(): Promise<void>;
}

/** Binds a private auto-delete queue to an exchange and records what it receives. */
export async function captureExchange(exchange: string, bindingKey = '#', url = TEST_RABBITMQ_URL): Promise<Capture> {
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, exchange, bindingKey);
  const messages: CapturedMessage[] = [];
  const waiters: Array<() => void> = [];
  await channel.consume(
    queue,
    (message) => {
      if (!message) return;
      messages.push({
        routingKey: message.fields.routingKey,
        content: message.content,
        properties: message.properties,
        json: () => JSON.parse(message.content.toString('utf8')) as unknown,
      });
      waiters.splice(0).forEach((wake) => wake());
    },
    { noAck: true },
  );
  return {
    messages,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} messages on ${exchange}, got ${messages.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return messages;
    },
    async close() {
      await channel.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}

/** Deletes every exchange and queue a test created under its prefix. */
export { deleteTopology } from '../../tools/bench/support';

/** The live events in messages captured from petzi.live: each line of each relay batch, decoded as the bridge does. */
export function liveEventsIn(messages: readonly CapturedMessage[]): LiveEvent[] {
  return messages.flatMap((m) =>
    decodeLiveBatch(m.content, m.properties).map((line) => JSON.parse(line.bytes.toString('utf8')) as LiveEvent),
  );
}
