import type { Channel, ChannelModel } from 'amqplib';
import type { Counter } from 'prom-client';
import { type BrokerConnection, errorMessage, InvalidLiveBatchError } from '../../functions/src';
import { liveFramesOf, type LiveFrame } from './liveFrame';
import type { Sequencer } from './sequencer';

export interface LiveConsumerOptions {
  broker: BrokerConnection;
  exchange: string;
  sequencer: Sequencer<LiveFrame>;
  /** Messages refused, by reason (bridge_live_messages_refused_total). */
  refused: Counter<'reason'>;
  log: (message: string) => void;
}

export interface LiveConsumer {
  /** The server-named queue of the current connection, undefined while disconnected. */
  readonly queue: string | undefined;
  stop(): Promise<void>;
}

/**
 * One exclusive, auto-delete, server-named queue per bridge bound to the live fanout exchange,
 * so every bridge (and through it every client) sees every event. It is a broker setup step:
 * after a reconnect the queue is new and empty, so the sequencer replays what was committed
 * meanwhile from Postgres. The resync is queued before consuming so no message overtakes it.
 */
export async function startLiveConsumer(options: LiveConsumerOptions): Promise<LiveConsumer> {
  const { broker, exchange, sequencer, refused, log } = options;
  let current: { channel: Channel; queue: string; consumerTag: string } | undefined;
  let stopped = false;

  await broker.addSetup(async (model: ChannelModel) => {
    if (stopped) return;
    current = undefined;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => log(`live channel error: ${error.message}`));
    channel.on('close', () => {
      if (current?.channel === channel) current = undefined;
    });
    await channel.assertExchange(exchange, 'fanout', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, exchange, '');
    void sequencer.resync();
    // noAck: a message lost with the connection is replayed from Postgres by the resync above.
    const { consumerTag } = await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        try {
          for (const frame of liveFramesOf(message.content, message.properties)) void sequencer.receive(frame);
        } catch (error) {
          // A consumer verifies what the broker hands it: a refused message is counted and logged,
          // and the next event fills the gap it leaves from Postgres.
          if (error instanceof InvalidLiveBatchError) refused.inc({ reason: error.reason });
          log(`refused a message on ${exchange}: ${errorMessage(error)}`);
        }
      },
      { noAck: true },
    );
    current = { channel, queue, consumerTag };
  });

  return {
    get queue() {
      return current?.queue;
    },
    async stop() {
      stopped = true;
      const active = current;
      current = undefined;
      if (!active) return;
      await active.channel.cancel(active.consumerTag).catch(() => undefined);
      await active.channel.close().catch(() => undefined);
    },
  };
}
