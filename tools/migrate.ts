import { loadConfig } from '../functions/src/core/config';
import { errorMessage } from '../functions/src/core/errors';
import { migrate } from '../functions/src/storage/migrate';
import { createPool } from '../functions/src/storage/pool';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log('Usage: npm run migrate\nApplies pending SQL migrations (infra/migrations) to DATABASE_URL.');
    return;
  }
  const pool = createPool(loadConfig().databaseUrl);
  try {
    const applied = await migrate(pool);
    console.log(applied.length === 0 ? 'database is up to date' : `applied migrations: ${applied.join(', ')}`);
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(`migration failed: ${errorMessage(error)}`);
  process.exit(1);
});
