import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/support/db';
import { createPool } from '../src/storage/pool';
import { loadMigrations, loadSqlSources, migrate, SQL_SOURCE_DIR, type SqlSource } from '../src/storage/migrate';

/** The relay's SQL functions: applied by migrate after the migrations, in order, in one transaction, under the lock. */

let db: TestDatabase;
let pool: Pool;
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'petzi-sql-sources-'));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder of SQL files with an order.txt, under the scratch folder. */
function sourceDir(name: string, order: string, files: Record<string, string>): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'order.txt'), order);
  for (const [file, sql] of Object.entries(files)) writeFileSync(path.join(dir, file), sql);
  return dir;
}

const definitionOf = async (name: string): Promise<string | null> =>
  (
    await pool.query<{ def: string }>(
      "SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p WHERE p.proname = $1 AND p.pronamespace = 'public'::regnamespace",
      [name],
    )
  ).rows[0]?.def ?? null;

const probe = (value: number): SqlSource => ({
  name: 'probe.sql',
  sql: `CREATE OR REPLACE FUNCTION migrate_probe() RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT ${value} $$;`,
});

describe('loadSqlSources', () => {
  it('reads the relay folder in the order order.txt declares, naming each file by its path', () => {
    const sources = loadSqlSources();
    expect(sources.map((s) => s.name)).toEqual([
      `${SQL_SOURCE_DIR}/ticket_state_rank.sql`,
      `${SQL_SOURCE_DIR}/relay_input.sql`,
      `${SQL_SOURCE_DIR}/ticket_apply.sql`,
      `${SQL_SOURCE_DIR}/ticket_live.sql`,
      `${SQL_SOURCE_DIR}/relay_batch.sql`,
    ]);
    // CREATE OR REPLACE only: applying a file again must change nothing and fail nowhere.
    for (const source of sources) {
      const statements = source.sql.replace(/--[^\n]*/g, '').match(/^CREATE\s+(OR\s+REPLACE\s+)?\w+/gim) ?? [];
      expect({
        file: source.name,
        statements: statements.filter((s) => !/^CREATE\s+OR\s+REPLACE\s+FUNCTION$/i.test(s)),
      }).toEqual({ file: source.name, statements: [] });
    }
  });

  it('ignores comments and blank lines of order.txt', () => {
    const dir = sourceDir('comments', '# first the probe\n\n  b.sql\na.sql\n', {
      'a.sql': 'SELECT 1;',
      'b.sql': 'SELECT 2;',
    });
    expect(loadSqlSources(dir).map((s) => path.basename(s.name))).toEqual(['b.sql', 'a.sql']);
  });

  it.each([
    ['a file that is not listed', 'a.sql\n', { 'a.sql': 'SELECT 1;', 'b.sql': 'SELECT 2;' }, 'b.sql is not listed'],
    [
      'a listed file that does not exist',
      'a.sql\nc.sql\n',
      { 'a.sql': 'SELECT 1;' },
      'c.sql is listed but not in the folder',
    ],
    ['a file listed twice', 'a.sql\na.sql\n', { 'a.sql': 'SELECT 1;' }, 'a.sql is listed twice'],
  ])('refuses %s, naming it', (_case, order, files, message) => {
    const dir = sourceDir(`bad-${message.replace(/\W+/g, '-')}`, order, files);
    expect(() => loadSqlSources(dir)).toThrow(message);
  });

  it('refuses a folder without order.txt', () => {
    const dir = path.join(scratch, 'no-order');
    mkdirSync(dir);
    expect(() => loadSqlSources(dir)).toThrow(/order\.txt not found/);
  });
});

describe('migrate', () => {
  beforeEach(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
  });

  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  it('applies the migrations, then the functions, which replace what the migrations defined', async () => {
    expect(await migrate(pool, loadMigrations(), [probe(1)])).toEqual(loadMigrations().map((m) => m.version));
    expect((await pool.query('SELECT migrate_probe() AS v')).rows[0].v).toBe(1);
    // The relay's files, on top: relay_batch is the one of relay_batch.sql, its body as written, comments and all.
    await migrate(pool);
    const relayBatch = loadSqlSources().find((s) => s.name.endsWith('relay_batch.sql'));
    const body = /AS \$\$([\s\S]+)\$\$;/.exec(relayBatch?.sql ?? '')?.[1];
    expect(body).toMatch(/relay_input/);
    expect(await definitionOf('relay_batch')).toContain(body);
  });

  it('applies them when a file changed, and writes nothing when none did', async () => {
    await migrate(pool);
    const names = [
      'relay_batch',
      'relay_input_of',
      'ticket_apply',
      'ticket_candidates',
      'ticket_live',
      'ticket_state_rank',
    ];
    const before = await Promise.all(names.map(definitionOf));
    expect(before.every((d) => d !== null)).toBe(true);
    const rowVersion = async () =>
      (await pool.query<{ xmin: string }>("SELECT xmin::text FROM pg_proc WHERE proname = 'relay_batch'")).rows[0].xmin;
    const version = await rowVersion();
    expect(await migrate(pool)).toEqual([]);
    // Not even rewritten: a process starting against an up-to-date database changes nothing.
    expect(await rowVersion()).toBe(version);
    expect(await Promise.all(names.map(definitionOf))).toEqual(before);
    const recorded = await pool.query<{ name: string }>('SELECT name FROM schema_functions ORDER BY name');
    expect(recorded.rows.map((r) => r.name)).toEqual(
      loadSqlSources()
        .map((source) => source.name)
        .sort(),
    );
    // A changed file takes effect on the next run, without a migration.
    await migrate(pool, loadMigrations(), [probe(1)]);
    await migrate(pool, loadMigrations(), [probe(2)]);
    expect((await pool.query('SELECT migrate_probe() AS v')).rows[0].v).toBe(2);
  });

  it('applies them again after a migration ran, which may have dropped what they define', async () => {
    await migrate(pool, loadMigrations(), [probe(1)]);
    const dropping = { version: 9_998, name: 'drops_the_probe', sql: 'DROP FUNCTION migrate_probe()' };
    expect(await migrate(pool, [...loadMigrations(), dropping], [probe(1)])).toEqual([9_998]);
    expect((await pool.query('SELECT migrate_probe() AS v')).rows[0].v).toBe(1);
  });

  it('applies the files in one transaction: a failing one leaves every function as it was, and names the file', async () => {
    await migrate(pool, loadMigrations(), [probe(1)]);
    const broken: SqlSource = {
      name: 'functions/src/relay/sql/broken.sql',
      sql: 'CREATE OR REPLACE FUNCTION broken() RETURNS integer LANGUAGE sql AS $$ SELECT no_such_column FROM ticket $$;',
    };
    await expect(migrate(pool, loadMigrations(), [probe(2), broken])).rejects.toThrow(
      /^Applying the SQL functions failed: functions\/src\/relay\/sql\/broken\.sql: column "no_such_column" does not exist/,
    );
    expect((await pool.query('SELECT migrate_probe() AS v')).rows[0].v).toBe(1);
    expect(await definitionOf('broken')).toBeNull();
  });

  it('is safe when several processes start at once: each migration once, every run succeeds', async () => {
    const pools = Array.from({ length: 4 }, () => createPool(db.url));
    try {
      const runs = await Promise.all(pools.map((p) => migrate(p)));
      expect(runs.flat().sort((a, b) => a - b)).toEqual(loadMigrations().map((m) => m.version));
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM schema_migrations');
    expect(Number(rows[0].n)).toBe(loadMigrations().length);
    expect(await definitionOf('relay_batch')).not.toBeNull();
  });

  it('leaves the functions alone on a database that holds a migration this code does not know', async () => {
    await migrate(pool, loadMigrations(), [probe(1)]);
    await pool.query("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_a_newer_build')");
    // An older build starting against the newer database must not put its older functions back.
    expect(await migrate(pool, loadMigrations(), [probe(2)])).toEqual([]);
    expect((await pool.query('SELECT migrate_probe() AS v')).rows[0].v).toBe(1);
  });

  it('stops at a given migration when passed no functions', async () => {
    const upTo3 = loadMigrations().filter((m) => m.version <= 3);
    expect(await migrate(pool, upTo3, [])).toEqual([1, 2, 3]);
    // Migration 003's relay_batch, over jsonb: the relay's current files were not applied.
    expect(await definitionOf('relay_batch')).toMatch(/relay_batch\(batch jsonb, relayed text\)/);
    expect(await definitionOf('ticket_apply')).toBeNull();
  });
});
