import { loadConfig, errorMessage, migrate, createPool, SQL_SOURCE_DIR } from '../functions/src';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(
      `Usage: npm run migrate\nApplies pending SQL migrations (infra/migrations) to DATABASE_URL, then the relay's SQL functions (${SQL_SOURCE_DIR}, in the order of its order.txt).`,
    );
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
