import {
  loadConfig,
  type Config,
  type FunctionDeclaration,
  silentLogger,
  type Logger,
  accessKeysFromEnv,
  resolveAccess,
} from '../../functions/src';
import { startBridge, type RunningBridge } from '../../bridge/src/bridge';
import { loadBridgeConfig } from '../../bridge/src/config';
import { startHost, type RunningHost } from '../../host/src/host';
import type { HttpTimeouts } from '../../host/src/httpServer';
import { deleteTopology } from './broker';
import { createTestDatabase, type TestDatabase } from './db';
import { TEST_RABBITMQ_URL, TEST_SECRET, uniqueName } from './env';

export interface TestStack {
  host: RunningHost;
  db: TestDatabase;
  prefix: string;
  url: string;
  /** Stops the host (gracefully), drops the database and deletes the test's exchanges and queues. */
  stop(): Promise<void>;
}

export interface TestStackOptions {
  env?: Record<string, string>;
  /** Reuse a database (e.g. a second host on the same data). */
  db?: TestDatabase;
  prefix?: string;
  now?: () => number;
  /** Where the host logs (silent by default; the secrets test captures it). */
  log?: Logger;
  httpTimeouts?: Partial<HttpTimeouts>;
  /** Serve these functions instead of every declared one (e.g. add one that fails on purpose). */
  functions?: FunctionDeclaration[];
  /** Rewrites the test database's URL for the host, e.g. to reach it through a TCP proxy. */
  databaseUrlThrough?: (url: string) => string;
}

/** One in-process functions host on its own database and its own exchanges and queues. */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const db = options.db ?? (await createTestDatabase());
  const prefix = options.prefix ?? uniqueName('t');
  const config: Config = loadConfig({
    PETZI_WEBHOOK_SECRET: TEST_SECRET,
    DATABASE_URL: options.databaseUrlThrough ? options.databaseUrlThrough(db.url) : db.url,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    OUTBOX_GRACE_SECONDS: '1',
    ...options.env,
  });
  const host = await startHost({
    config,
    port: 0,
    hostname: '127.0.0.1',
    // PETZI_API_KEY / PETZI_ADMIN_KEY in options.env close the read paths, as they do for npm run host.
    access: resolveAccess(accessKeysFromEnv(options.env ?? {}), '127.0.0.1', {}),
    log: options.log ?? silentLogger,
    topologyPrefix: prefix,
    processMetrics: false,
    now: options.now,
    httpTimeouts: options.httpTimeouts,
    functions: options.functions,
  }).catch(async (error: unknown) => {
    if (!options.db) await db.drop();
    throw error;
  });
  await host.deps.broker.waitUntilConnected(10_000).catch(() => undefined);
  return {
    host,
    db,
    prefix,
    url: host.url,
    async stop() {
      await host.stop();
      if (!options.db) await db.drop();
      await deleteTopology({ ...host.deps.topology });
    },
  };
}

/**
 * An SSE bridge on a free loopback port, reading the stack's database and topology; `env` adds
 * settings (its HTTP timeouts, say).
 */
export function startTestBridge(stack: TestStack, env: Record<string, string> = {}): Promise<RunningBridge> {
  const config = loadBridgeConfig({
    DATABASE_URL: stack.db.url,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    PETZI_TOPOLOGY_PREFIX: stack.prefix,
    ...env,
  });
  return startBridge({ config, port: 0, hostname: '127.0.0.1', log: silentLogger, processMetrics: false });
}
