import { loadConfig } from '../../functions/src/config';
import { silentLogger, type Logger } from '../../functions/src/runtime/logger';
import { startHost } from '../../infra/src/host/host';
import type { HttpTimeouts } from '../../infra/src/host/httpServer';
import { deleteTopology } from '../support/broker';
import { createTestDatabase } from '../support/db';
import { TEST_RABBITMQ_URL, TEST_SECRET, uniqueName } from '../support/env';
import type { TestStack } from '../support/host';

export interface HostileStackOptions {
  env?: Record<string, string>;
  httpTimeouts?: Partial<HttpTimeouts>;
  /** Where the host logs (the secrets test captures it). */
  log?: Logger;
  /** Rewrites the test database's URL for the host, e.g. to reach it through a TCP proxy. */
  databaseUrlThrough?: (url: string) => string;
}

/**
 * test/support's startTestStack with the two host options these tests turn: the slow-client
 * limits and the logger. Same shape, same clean-up: own database, own exchanges and queues.
 */
export async function startHostileStack(options: HostileStackOptions = {}): Promise<TestStack> {
  const db = await createTestDatabase();
  const prefix = uniqueName('t');
  const config = loadConfig({
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
    log: options.log ?? silentLogger,
    topologyPrefix: prefix,
    processMetrics: false,
    httpTimeouts: options.httpTimeouts,
  }).catch(async (error: unknown) => {
    await db.drop();
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
      await db.drop();
      await deleteTopology({ ...host.deps.topology });
    },
  };
}
