import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Pool, PoolClient } from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** One file of SQL function definitions, applied after the migrations every time migrate runs. */
export interface SqlSource {
  /** The file's path from the repository root, for messages. */
  name: string;
  sql: string;
}

const FILE = /^(\d{3,})_([a-z0-9_]+)\.sql$/;
// Any constant works; it only has to be the same for every process running migrations.
const LOCK_KEY = 0x7e721;

/**
 * The repository root. This file sits at <root>/functions/src/storage (ts-jest, source tree) or
 * <root>/dist/functions/src/storage (compiled, also in the images, which copy what migrate reads:
 * infra/migrations and functions/src/relay/sql).
 */
function repositoryRoot(): string {
  const up = path.resolve(__dirname, '../../..');
  return path.basename(up) === 'dist' ? path.dirname(up) : up;
}

function existingDir(relative: string): string {
  const dir = path.join(repositoryRoot(), relative);
  if (!existsSync(dir)) throw new Error(`${relative} not found at ${dir}`);
  return dir;
}

export function loadMigrations(dir: string = existingDir('infra/migrations')): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = FILE.exec(file);
      if (!match) throw new Error(`Migration file name must look like 001_name.sql: ${file}`);
      return { version: Number(match[1]), name: match[2], sql: readFileSync(path.join(dir, file), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1].version === m.version) throw new Error(`Two migrations numbered ${m.version}`);
  });
  return migrations;
}

/** The folder of the relay's SQL functions, and the file that declares their order. */
export const SQL_SOURCE_DIR = 'functions/src/relay/sql';
const ORDER_FILE = 'order.txt';

/**
 * The SQL function files in the order `order.txt` declares (one file name a line, `#` comments).
 * Every .sql file of the folder must be listed once, and every listed file must exist.
 */
export function loadSqlSources(dir: string = existingDir(SQL_SOURCE_DIR)): SqlSource[] {
  const orderPath = path.join(dir, ORDER_FILE);
  if (!existsSync(orderPath))
    throw new Error(`${ORDER_FILE} not found in ${dir}: it lists the SQL files in the order they are applied`);
  const listed = readFileSync(orderPath, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const present = readdirSync(dir).filter((file) => file.endsWith('.sql'));
  const problems = [
    ...listed.filter((file, i) => listed.indexOf(file) !== i).map((file) => `${file} is listed twice`),
    ...listed.filter((file) => !present.includes(file)).map((file) => `${file} is listed but not in the folder`),
    ...present.filter((file) => !listed.includes(file)).map((file) => `${file} is not listed`),
  ];
  if (problems.length > 0) throw new Error(`${path.join(dir, ORDER_FILE)}: ${problems.join('; ')}`);
  const shown = path.relative(repositoryRoot(), dir) || dir;
  return listed.map((file) => ({ name: `${shown}/${file}`, sql: readFileSync(path.join(dir, file), 'utf8') }));
}

async function inTransaction(client: PoolClient, what: string, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await work();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new Error(`${what} failed: ${(error as Error).message}`);
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Applies pending migrations in order, each in its own transaction, then the SQL function files
 * (`sources`, the relay's current definitions) in one transaction; safe when several processes
 * start at once, as all of it runs under one advisory lock. The files are applied when one of them
 * changed since they were last applied (schema_functions keeps each file's sha256) or a migration
 * ran now (it may have dropped what they define): CREATE OR REPLACE, so applying them again
 * changes nothing, and a process starting against an up-to-date database writes nothing. Never on
 * a database that holds a migration `migrations` does not know: a process built before it must not
 * put its older functions back. Pass `sources: []` to stop at a given migration (a test of an older
 * schema). Returns the versions of the migrations applied.
 */
export async function migrate(
  pool: Pool,
  migrations: Migration[] = loadMigrations(),
  sources: SqlSource[] = loadSqlSources(),
): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await inTransaction(client, `Migration ${migration.version}_${migration.name}`, async () => {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
      });
      applied.push(migration.version);
    }
    const known = new Set(migrations.map((m) => m.version));
    const newer = [...done].some((version) => !known.has(version));
    if (sources.length > 0 && !newer) await applySources(client, sources, applied.length > 0);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  return applied;
}

/**
 * The SQL function files, in one transaction, unless schema_functions shows these very files applied and `force` is
 * false.
 */
async function applySources(client: PoolClient, sources: SqlSource[], force: boolean): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_functions (
    name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const wanted = sources.map((source) => ({ name: source.name, sha256: sha256(source.sql) }));
  const { rows } = await client.query<{ name: string; sha256: string }>(
    'SELECT name, sha256 FROM schema_functions ORDER BY name',
  );
  const same =
    rows.length === wanted.length && wanted.every((w) => rows.some((r) => r.name === w.name && r.sha256 === w.sha256));
  if (same && !force) return;
  await inTransaction(client, 'Applying the SQL functions', async () => {
    for (const source of sources) {
      try {
        await client.query(source.sql);
      } catch (error) {
        throw new Error(`${source.name}: ${(error as Error).message}`);
      }
    }
    await client.query('DELETE FROM schema_functions');
    await client.query('INSERT INTO schema_functions (name, sha256) SELECT * FROM unnest($1::text[], $2::text[])', [
      wanted.map((w) => w.name),
      wanted.map((w) => w.sha256),
    ]);
  });
}
