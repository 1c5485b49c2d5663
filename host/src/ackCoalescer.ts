import type { Channel, Message } from 'amqplib';

/**
 * Acknowledges one channel's deliveries in as few frames as it can. The acks of one tick go out
 * together: the run of done deliveries at the front of the channel's unsettled window as one ack
 * with `multiple` (a whole relay batch in one frame, where each message had its own), any others
 * one by one, as before. A delivery is acked once, and only when its invocation is done: nothing
 * unprocessed is ever acknowledged, and what a crash leaves unacked the broker redelivers.
 */
export class AckCoalescer {
  /** Delivered and not yet settled, in delivery (tag) order; true once its invocation is done. */
  private readonly unsettled = new Map<number, { message: Message; done: boolean }>();
  private scheduled = false;

  constructor(
    private readonly channel: Pick<Channel, 'ack'>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Every delivery is registered as it arrives, so the window's order is the broker's. */
  delivered(message: Message): void {
    this.unsettled.set(message.fields.deliveryTag, { message, done: false });
  }

  /** The invocation is done: the delivery is acked with the others of this tick. */
  ack(message: Message): void {
    const entry = this.unsettled.get(message.fields.deliveryTag);
    if (!entry) return;
    entry.done = true;
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(() => this.flush());
  }

  /** Settled another way (a nack to the dead-letter exchange): out of the window. */
  forget(message: Message): void {
    this.unsettled.delete(message.fields.deliveryTag);
  }

  private flush(): void {
    this.scheduled = false;
    let front: Message | undefined;
    for (const [tag, entry] of this.unsettled) {
      if (!entry.done) break;
      front = entry.message;
      this.unsettled.delete(tag);
    }
    try {
      // Every delivery up to front's tag is done: one frame acks them all.
      if (front) this.channel.ack(front, true);
      for (const [tag, entry] of this.unsettled) {
        if (!entry.done) continue;
        this.channel.ack(entry.message);
        this.unsettled.delete(tag);
      }
    } catch (error) {
      // The channel is gone: the broker redelivers whatever it had not been told of.
      this.onError(error);
    }
  }
}
