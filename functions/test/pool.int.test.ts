import { createPool } from '../src/storage/pool';
import { createTestDatabase } from '../../test/support/db';
import { ADMIN_DATABASE_URL } from '../../test/support/env';
import { hostPortOf, startTcpProxy, viaProxy } from '../../tools/harness/tcpProxy';
import { waitUntil } from '../../test/support/wait';

describe('createPool', () => {
  it('survives Postgres going away under a checked-out client (no uncaught error event)', async () => {
    const target = hostPortOf(ADMIN_DATABASE_URL, 5432);
    const proxy = await startTcpProxy(target.host, target.port);
    const db = await createTestDatabase();
    const errors: Error[] = [];
    const pool = createPool(viaProxy(db.url, proxy.port), { onError: (error) => errors.push(error) });
    try {
      const client = await pool.connect();
      await client.query('BEGIN');
      // The outbox and the relay hold a client like this while they publish.
      await proxy.cut();
      await waitUntil(() => (errors.length > 0 ? true : undefined), 5000, 'the connection loss to be reported');
      await expect(client.query('SELECT 1')).rejects.toThrow();
      client.release(true);
      await proxy.restore();
      const { rows } = await pool.query<{ ok: number }>('SELECT 1 AS ok');
      expect(rows).toEqual([{ ok: 1 }]);
    } finally {
      await pool.end();
      await db.drop();
      await proxy.close();
    }
  });
});
