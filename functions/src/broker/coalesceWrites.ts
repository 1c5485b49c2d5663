import { Duplex } from 'node:stream';

/**
 * Makes every write a stream receives within one tick leave as a single write.
 *
 * amqplib writes each frame to its socket on its own: a publish, the next publish, an ack. With
 * Nagle's algorithm off (which it must be, see connection.ts) each becomes its own syscall and
 * packet; on loopback the kernel also runs the receiving side inside that syscall. Corking on
 * the first write of a tick and uncorking once the tick's synchronous work is done gathers them
 * into one writev, at no added latency: nothing waits past the current tick. Measured A/B at 64
 * connections (4 alternating runs each): 2,028 → 2,188 webhooks/s, p99 76 → 66 ms, host CPU
 * 416 → 394 µs a webhook.
 */
export function coalesceWrites(stream: Duplex): void {
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  const write = stream.write;
  stream.write = function coalescedWrite(this: Duplex, ...args: Parameters<Duplex['write']>): boolean {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    return write.apply(this, args);
  } as Duplex['write'];
}

/**
 * The socket under an amqplib connection. amqplib does not expose it, so this reads its
 * internals and returns undefined when they change: the connection then works as before, only
 * without coalescing (a test notices).
 */
export function amqpSocket(model: unknown): Duplex | undefined {
  const stream = (model as { connection?: { stream?: unknown } } | undefined)?.connection?.stream;
  return stream instanceof Duplex ? stream : undefined;
}
