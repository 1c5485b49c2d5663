import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createPool, errorMessage, loadConfig, migrate } from '../../functions/src';
import { dumpSchema, findPgDump, normaliseDump, readSchemaFile, SCHEMA_FILE } from './pgDump';

const HELP = `Usage: npm run db:dump [-- --check]

Writes ${SCHEMA_FILE}: the schema of a freshly migrated database, as pg_dump --schema-only prints it
(without owners, privileges and the lines that vary with the pg_dump build). A scratch database is
created on the PostgreSQL server of DATABASE_URL (default postgres://postgres:postgres@127.0.0.1:5432),
migrated (infra/migrations, then functions/src/relay/sql), dumped and dropped.

Run it after changing a migration or a SQL function, and commit the file with the change:
tools/test/dbSchema.int.test.ts fails while it is stale. pg_dump must be of the server's major
version (PG_DUMP names one; else /usr/lib/postgresql/<major>/bin/pg_dump, else pg_dump on PATH).

  --check   write nothing; exit 1 when ${SCHEMA_FILE} differs from a fresh dump
Exit codes: 0 done (or up to date), 1 failure or stale, 2 bad command line.`;

/** The repository root, from tools/schema (ts-jest) or dist/tools/schema (compiled). */
const ROOT = ((): string => {
  const up = path.resolve(__dirname, '../..');
  return path.basename(up) === 'dist' ? path.dirname(up) : up;
})();

function say(message: string): void {
  console.error(`[db:dump] ${message}`);
}

async function onServer<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Migrates a scratch database on the server of `serverUrl` and returns its normalised dump. */
export async function freshSchemaDump(
  serverUrl: string,
  log: (message: string) => void = () => undefined,
): Promise<string> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const name = `petzi_schema_dump_${process.pid}_${Date.now().toString(36)}`;
  const scratch = new URL(serverUrl);
  scratch.pathname = `/${name}`;
  const major = await onServer(admin.toString(), async (client) =>
    Math.floor(
      Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0].v) /
        10000,
    ),
  );
  const pgDump = findPgDump(major);
  log(`PostgreSQL ${major} at ${admin.host}, ${pgDump}`);
  await onServer(admin.toString(), (client) => client.query(`CREATE DATABASE ${name}`));
  try {
    const pool = createPool(scratch.toString());
    try {
      log(`migrating the scratch database ${name}`);
      await migrate(pool);
    } finally {
      await pool.end();
    }
    log('dumping its schema');
    return normaliseDump(dumpSchema(pgDump, scratch.toString()));
  } finally {
    await onServer(admin.toString(), (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`db:dump: unknown argument ${unknown[0]} (see --help)`);
    return 2;
  }
  const dump = await freshSchemaDump(loadConfig().databaseUrl, say);
  if (args.includes('--check')) {
    if (readSchemaFile(ROOT) === dump) {
      say(`${SCHEMA_FILE} is up to date`);
      return 0;
    }
    say(`${SCHEMA_FILE} is stale: run npm run db:dump and commit it`);
    return 1;
  }
  writeFileSync(path.join(ROOT, SCHEMA_FILE), dump);
  say(`wrote ${SCHEMA_FILE} (${dump.split('\n').length} lines)`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`db:dump failed: ${errorMessage(error)}`);
      process.exit(1);
    },
  );
}
