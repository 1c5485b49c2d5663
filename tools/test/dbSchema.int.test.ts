import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import {
  createMigratedDatabase,
  createTestDatabase,
  type MigratedDatabase,
  type TestDatabase,
} from '../../test/support/db';
import { describeSchema, schemaDifference } from '../schema/catalog';
import { findPgDump, normaliseDump, pgDumpMajor, SCHEMA_FILE, SCHEMA_HEADER } from '../schema/pgDump';

/**
 * infra/schema.sql is the dump of a freshly migrated database (npm run db:dump). It is checked by
 * loading it into an empty database and comparing that database's catalog with a migrated one's,
 * on the test's own server: pg_dump's text differs between its major versions, and the server
 * `npm test` finds or provisions (PostgreSQL 15 here, an embedded 18 in CI, which ships no pg_dump)
 * need not have a pg_dump of its own version at hand.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const schemaSql = readFileSync(path.join(ROOT, SCHEMA_FILE), 'utf8');

let migrated: MigratedDatabase;
let loaded: TestDatabase;
let client: Client;

beforeAll(async () => {
  migrated = await createMigratedDatabase();
  loaded = await createTestDatabase();
  client = new Client({ connectionString: loaded.url });
  await client.connect();
  await client.query(schemaSql);
  // The dump empties search_path for its session; the comparison reads names as any session would.
  await client.query('RESET search_path');
});

afterAll(async () => {
  await client.end();
  await loaded.drop();
  await migrated.close();
});

describe(SCHEMA_FILE, () => {
  it('is what the migrations and the relay SQL functions make (else: run npm run db:dump and commit it)', async () => {
    const expected = await describeSchema(migrated.pool);
    const actual = await describeSchema(client);
    const difference = schemaDifference(expected, actual);
    if (difference.length > 0) {
      throw new Error(
        `${SCHEMA_FILE} is stale: it does not make the schema the migrations make. Run \`npm run db:dump\` and commit ${SCHEMA_FILE}.\n` +
          `- only in a migrated database, + only in one loaded from ${SCHEMA_FILE}:\n${difference.join('\n')}`,
      );
    }
    // The comparison saw the schema, not two empty lists.
    expect(expected.filter((l) => /^(function|relation|index) /.test(l)).length).toBeGreaterThan(20);
    expect(expected).toEqual(
      expect.arrayContaining([expect.stringMatching(/^function CREATE OR REPLACE FUNCTION public\.relay_batch\(/)]),
    );
  });

  it('is made by db:dump: it starts with its header and has no line that varies with the pg_dump build', () => {
    expect(schemaSql.startsWith(SCHEMA_HEADER)).toBe(true);
    expect(schemaSql).not.toMatch(/^(-- Dumped (from|by) |\\restrict|\\unrestrict|SET transaction_timeout)/m);
    expect(normaliseDump(schemaSql.slice(SCHEMA_HEADER.length))).toBe(schemaSql);
  });
});

describe('the catalog comparison', () => {
  it.each([
    [
      'a function body',
      "CREATE OR REPLACE FUNCTION ticket_live(t ticket) RETURNS jsonb LANGUAGE sql STABLE AS $$ SELECT '{}'::jsonb $$",
      /^function .*ticket_live/,
    ],
    ["a function's setting", 'ALTER FUNCTION relay_batch RESET plan_cache_mode', /^function .*relay_batch/],
    [
      'a column made NOT NULL',
      'ALTER TABLE ticket ALTER COLUMN city SET NOT NULL',
      /^column public\.ticket #\d+ city text not null$/,
    ],
    [
      'a default',
      "ALTER TABLE dead_letter ALTER COLUMN reason SET DEFAULT ''",
      /^column public\.dead_letter #\d+ reason text not null default ''::text$/,
    ],
    [
      'an index',
      'CREATE INDEX probe_idx ON ticket (venue)',
      /^index CREATE INDEX probe_idx ON public\.ticket USING btree \(venue\)$/,
    ],
    [
      'a constraint',
      "ALTER TABLE ticket ADD CONSTRAINT probe_check CHECK (venue <> '')",
      /^constraint probe_check on public\.ticket/,
    ],
    [
      'an attribute of a type',
      'ALTER TYPE relay_input ADD ATTRIBUTE probe text',
      /^column public\.relay_input #\d+ probe text$/,
    ],
    ['a comment', "COMMENT ON TABLE ticket IS 'probe'", /^comment on public\.ticket: probe$/],
  ])('sees %s change', async (_what, change, line) => {
    const before = await describeSchema(client);
    await client.query('BEGIN');
    try {
      await client.query(change);
      const difference = schemaDifference(before, await describeSchema(client));
      expect(difference).toEqual(
        expect.arrayContaining([expect.stringMatching(new RegExp(`^\\+ ${line.source.slice(1)}`, line.flags))]),
      );
    } finally {
      await client.query('ROLLBACK');
    }
    expect(await describeSchema(client)).toEqual(before);
  });
});

describe('db:dump', () => {
  it('keeps what describes the schema and drops what varies with the pg_dump build', () => {
    const raw = [
      '--',
      '-- PostgreSQL database dump',
      '--',
      '',
      '\\restrict 1rMbL5G4m1WsAZlflmjcK4ueUagsBhrhdxGWrRpSyRE06conY6m2J75jFGUiFTP',
      '',
      '-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)',
      '-- Dumped by pg_dump version 18.1',
      '',
      'SET statement_timeout = 0;',
      'SET transaction_timeout = 0;   ',
      '',
      '',
      '',
      'CREATE TABLE public.t (id integer);',
      '\\unrestrict 1rMbL5G4m1WsAZlflmjcK4ueUagsBhrhdxGWrRpSyRE06conY6m2J75jFGUiFTP',
      '',
    ].join('\r\n');
    const dump = normaliseDump(raw);
    expect(dump).toBe(
      `${SCHEMA_HEADER}\n--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n\nCREATE TABLE public.t (id integer);\n`,
    );
    expect(normaliseDump(dump.slice(SCHEMA_HEADER.length))).toBe(dump);
  });

  it('reads the major version of a pg_dump', () => {
    expect(pgDumpMajor('pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)')).toBe(15);
    expect(pgDumpMajor('pg_dump (PostgreSQL) 18.1')).toBe(18);
    expect(pgDumpMajor('something else')).toBeUndefined();
  });

  it('asks for a pg_dump of the server major version, naming what it found instead', () => {
    expect(() => findPgDump(15, { PG_DUMP: '/nonexistent/pg_dump' })).toThrow(
      /no pg_dump 15 found .*tried \/nonexistent\/pg_dump.*install postgresql-client-15, set PG_DUMP/,
    );
    expect(() => findPgDump(99, {})).toThrow(/no pg_dump 99 found/);
  });
});
