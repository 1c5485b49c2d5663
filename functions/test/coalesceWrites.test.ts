import { Duplex } from 'node:stream';
import { amqpSocket, coalesceWrites } from '../src/broker/coalesceWrites';

/** A stream that records each write call the stream machinery makes downstream (a syscall, for a socket). */
function recordingStream(): { stream: Duplex; calls: string[][] } {
  const calls: string[][] = [];
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      calls.push([chunk.toString()]);
      callback();
    },
    writev(chunks, callback) {
      calls.push(chunks.map((c) => (c.chunk as Buffer).toString()));
      callback();
    },
  });
  return { stream, calls };
}

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('coalesceWrites', () => {
  it('sends the writes of one tick downstream as one write, in order', async () => {
    const { stream, calls } = recordingStream();
    coalesceWrites(stream);
    stream.write('a');
    stream.write('b');
    stream.write('c');
    expect(calls).toEqual([]);
    await nextTick();
    expect(calls).toEqual([['a', 'b', 'c']]);
  });

  it('keeps writes of different ticks apart, so none waits for later traffic', async () => {
    const { stream, calls } = recordingStream();
    coalesceWrites(stream);
    stream.write('a');
    await nextTick();
    stream.write('b');
    await nextTick();
    expect(calls).toEqual([['a'], ['b']]);
  });

  it('without it, each write goes down on its own (what it fixes)', () => {
    const { stream, calls } = recordingStream();
    stream.write('a');
    stream.write('b');
    expect(calls).toEqual([['a'], ['b']]);
  });

  it('keeps write callbacks and the return value', async () => {
    const { stream } = recordingStream();
    coalesceWrites(stream);
    const done = new Promise<void>((resolve, reject) =>
      stream.write('x', (error) => (error ? reject(error) : resolve())),
    );
    expect(stream.write('y')).toBe(true);
    await expect(done).resolves.toBeUndefined();
  });
});

describe('amqpSocket', () => {
  it('finds the stream of an amqplib channel model and nothing in other shapes', () => {
    const { stream } = recordingStream();
    expect(amqpSocket({ connection: { stream } })).toBe(stream);
    expect(amqpSocket({ connection: { stream: {} } })).toBeUndefined();
    expect(amqpSocket({})).toBeUndefined();
    expect(amqpSocket(undefined)).toBeUndefined();
  });
});
