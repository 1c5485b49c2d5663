import { BrokerConnection } from '../src/broker/connection';
import { TEST_RABBITMQ_URL } from '../../test/support/env';

describe('BrokerConnection on the real broker', () => {
  it('coalesces the frames of one tick on the amqplib socket it reaches', async () => {
    const broker = await BrokerConnection.open(TEST_RABBITMQ_URL);
    try {
      await broker.waitUntilConnected(10_000);
      // Fails if an amqplib upgrade moves the socket: publishing would silently cost a syscall a frame again.
      expect(broker.coalescingWrites).toBe(true);
      // Publishes of one tick, coalesced into one write, are all confirmed.
      const exchange = 'amq.fanout';
      await Promise.all(Array.from({ length: 50 }, (_, i) => broker.publish(exchange, '', Buffer.from(String(i)), {})));
    } finally {
      await broker.close();
    }
  });
});
