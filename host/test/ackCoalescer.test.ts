import type { Message } from 'amqplib';
import { AckCoalescer } from '../src/ackCoalescer';

const message = (tag: number) => ({ fields: { deliveryTag: tag } }) as Message;
const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

function setUp(tags: number[]) {
  const acks: Array<[number, boolean]> = [];
  const errors: unknown[] = [];
  const coalescer = new AckCoalescer(
    { ack: (m: Message, allUpTo?: boolean) => acks.push([m.fields.deliveryTag, allUpTo === true]) },
    (e) => errors.push(e),
  );
  const messages = new Map(tags.map((tag) => [tag, message(tag)]));
  for (const m of messages.values()) coalescer.delivered(m);
  return { acks, errors, coalescer, m: (tag: number) => messages.get(tag) as Message };
}

describe('AckCoalescer', () => {
  it('acks a run of done deliveries at the front of the window as one frame', async () => {
    const { acks, coalescer, m } = setUp([1, 2, 3, 4]);
    for (const tag of [3, 1, 2, 4]) coalescer.ack(m(tag));
    expect(acks).toEqual([]);
    await nextTick();
    expect(acks).toEqual([[4, true]]);
  });

  it('never acks past a delivery still in progress: the later ones go one by one', async () => {
    const { acks, coalescer, m } = setUp([1, 2, 3, 4, 5]);
    for (const tag of [1, 2, 4, 5]) coalescer.ack(m(tag));
    await nextTick();
    expect(acks).toEqual([
      [2, true],
      [4, false],
      [5, false],
    ]);
    coalescer.ack(m(3));
    await nextTick();
    // 4 and 5 were acked already: 3 alone, so no tag is acked twice.
    expect(acks.slice(3)).toEqual([[3, true]]);
  });

  it('leaves a nacked delivery out of the window', async () => {
    const { acks, coalescer, m } = setUp([1, 2, 3]);
    coalescer.forget(m(2));
    coalescer.ack(m(1));
    coalescer.ack(m(3));
    await nextTick();
    expect(acks).toEqual([[3, true]]);
  });

  it('acks nothing twice when told twice, and nothing it was not given', async () => {
    const { acks, coalescer, m } = setUp([1]);
    coalescer.ack(m(1));
    coalescer.ack(m(1));
    coalescer.ack(message(99));
    await nextTick();
    await nextTick();
    expect(acks).toEqual([[1, true]]);
  });

  it('reports an ack on a closed channel instead of throwing', async () => {
    const errors: unknown[] = [];
    const coalescer = new AckCoalescer(
      {
        ack: () => {
          throw new Error('Channel closed');
        },
      },
      (e) => errors.push(e),
    );
    coalescer.delivered(message(1));
    coalescer.ack(message(1));
    await nextTick();
    expect(errors).toHaveLength(1);
  });
});
