import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { declareVariables, readEnv, type Env } from '../../functions/src';

/** Where the dump of a freshly migrated database is kept, from the repository root. */
export const SCHEMA_FILE = 'infra/schema.sql';

const HEADER_LINES = [
  "-- The schema of a freshly migrated database: infra/migrations, then the relay's SQL functions",
  '-- (functions/src/relay/sql). Made by `npm run db:dump` (pg_dump --schema-only); do not edit.',
  '-- tools/test/dbSchema.int.test.ts fails when it no longer matches what the migrations make.',
];
export const SCHEMA_HEADER = `${HEADER_LINES.join('\n')}\n`;

/**
 * Lines that vary with the pg_dump build, not with the schema: its version comments, the random
 * key of \\restrict (pg_dump 17.6, 16.10, 15.14 and later) and settings newer dumps add.
 */
const VARYING = [
  /^-- Dumped from database version /,
  /^-- Dumped by pg_dump version /,
  /^\\(un)?restrict\b/,
  /^SET transaction_timeout = /,
];

/** pg_dump's output made stable: the varying lines gone, runs of blank lines joined, the header first. */
export function normaliseDump(dump: string): string {
  const lines = dump
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.replace(/\s+$/, ''))
    .filter((line) => !VARYING.some((pattern) => pattern.test(line)));
  return `${SCHEMA_HEADER}\n${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/** The major version a `pg_dump --version` line names ("pg_dump (PostgreSQL) 15.18 (Debian …)" → 15). */
export function pgDumpMajor(versionLine: string): number | undefined {
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(versionLine);
  return match ? Number(match[1]) : undefined;
}

function versionOf(binary: string): number | undefined {
  try {
    return pgDumpMajor(execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return undefined;
  }
}

/**
 * A pg_dump of the server's own major version: PG_DUMP when set, else Debian's
 * /usr/lib/postgresql/<major>/bin/pg_dump, else the pg_dump on PATH. Another major would refuse a
 * newer server, or write a dump that differs from the checked-in one in form alone.
 */
/** npm run db:dump reads these, and DATABASE_URL for the server it migrates a scratch database on. */
export const SCHEMA_DUMP_VARIABLES = declareVariables({
  PG_DUMP: {
    kind: 'string',
    meaning: "the pg_dump to run; it must be of the server's major version",
    unset: '/usr/lib/postgresql/<major>/bin/pg_dump, else pg_dump on PATH',
  },
});

export function findPgDump(serverMajor: number, env: Env = process.env): string {
  const named = readEnv.read(env, SCHEMA_DUMP_VARIABLES.PG_DUMP);
  const candidates = named ? [named] : [`/usr/lib/postgresql/${serverMajor}/bin/pg_dump`, 'pg_dump'];
  const found: string[] = [];
  for (const candidate of candidates) {
    if (candidate.includes(path.sep) && !existsSync(candidate)) continue;
    const major = versionOf(candidate);
    if (major === serverMajor) return candidate;
    if (major !== undefined) found.push(`${candidate} is pg_dump ${major}`);
  }
  throw new Error(
    `no pg_dump ${serverMajor} found for the PostgreSQL ${serverMajor} server (${found.length > 0 ? found.join('; ') : `tried ${candidates.join(', ')}`}): ` +
      `install postgresql-client-${serverMajor}, set PG_DUMP to one, or point DATABASE_URL at a server whose major version has a pg_dump here`,
  );
}

/**
 * Runs pg_dump --schema-only on the database at url (the password goes in the environment, not on the command line).
 */
export function dumpSchema(pgDump: string, url: string): string {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return execFileSync(pgDump, ['--schema-only', '--no-owner', '--no-privileges', '--dbname', parsed.toString()], {
    encoding: 'utf8',
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
    maxBuffer: 64 * 1024 * 1024,
  });
}

export function readSchemaFile(root: string): string {
  return readFileSync(path.join(root, SCHEMA_FILE), 'utf8');
}
