import { ensureDatabase } from '../src/storage/ensureDatabase';
import { queryOnce } from '../../test/support/db';
import { ADMIN_DATABASE_URL, uniqueName } from '../../test/support/env';

describe('ensureDatabase', () => {
  it('creates a missing database once, then leaves it alone', async () => {
    const name = uniqueName('petzi_ensure').toLowerCase();
    const url = new URL(ADMIN_DATABASE_URL);
    url.pathname = `/${name}`;
    try {
      expect(await ensureDatabase(url.toString())).toBe(true);
      expect(await ensureDatabase(url.toString())).toBe(false);
      const rows = await queryOnce<{ n: string }>(
        ADMIN_DATABASE_URL,
        'SELECT count(*) AS n FROM pg_database WHERE datname = $1',
        [name],
      );
      expect(rows[0].n).toBe('1');
    } finally {
      await queryOnce(ADMIN_DATABASE_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });

  it('passes other connection errors through', async () => {
    const wrong = new URL(ADMIN_DATABASE_URL);
    wrong.password = 'wrong-password';
    await expect(ensureDatabase(wrong.toString())).rejects.toThrow(/password/);
  });
});
