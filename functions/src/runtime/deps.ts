import type { Pool } from 'pg';
import { Registry } from 'prom-client';
import { BrokerConnection } from '../broker/connection';
import { declareTopology, topologyNames, type TopologyNames } from '../broker/topology';
import type { Config } from '../core/config';
import { createOperationsMetrics, type OperationsMetrics } from '../metrics/operationsMetrics';
import { createPipelineMetrics, type PipelineMetrics } from '../metrics/pipelineMetrics';
import { AttemptWriter } from '../operate/attemptWriter';
import { waitingByKind } from '../operate/deadLettersSql';
import { IngestService } from '../ingest/ingest';
import { RelayService } from '../relay/relay';
import { ensureDatabase } from '../storage/ensureDatabase';
import { migrate } from '../storage/migrate';
import { createPool } from '../storage/pool';
import { countUnpublished } from '../storage/webhookEvents';
import type { Logger } from '../core/logger';

/** Everything a function handler may use, built once per process and closed on shutdown. */
export interface Deps {
  config: Config;
  pool: Pool;
  broker: BrokerConnection;
  topology: TopologyNames;
  registry: Registry;
  metrics: PipelineMetrics;
  /** Issue 17's: the delivery log, dead letters, redrive and replay. */
  operations: OperationsMetrics;
  /** The delivery log's writer: one record per /webhook request, written off the hot path. */
  attempts: AttemptWriter;
  ingest: IngestService;
  relay: RelayService;
  now: () => number;
  log: Logger;
}

export interface CreateDepsOptions {
  log: Logger;
  /** Prefix for exchange and queue names; tests use one per test. */
  topologyPrefix?: string;
  processMetrics?: boolean;
  now?: () => number;
  /** Apply migrations before returning (the host does; a caller may do it itself). */
  migrate?: boolean;
}

export async function createDeps(config: Config, options: CreateDepsOptions): Promise<Deps> {
  const { log } = options;
  if (options.migrate !== false && (await ensureDatabase(config.databaseUrl)))
    log.info('created the database named in DATABASE_URL');
  const pool = createPool(config.databaseUrl, { onError: (error) => log.warn(`postgres: ${error.message}`) });
  try {
    if (options.migrate !== false) await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const topology = topologyNames(options.topologyPrefix);
  const broker = await BrokerConnection.open(config.rabbitmqUrl, { log: (m) => log.warn(m) });
  await broker.addSetup(async (model) => {
    const channel = await model.createChannel();
    try {
      await declareTopology(channel, topology, config.relayQueueType);
    } finally {
      await channel.close().catch(() => undefined);
    }
  });
  const registry = new Registry();
  const metrics = createPipelineMetrics(registry, {
    backlog: () => countUnpublished(pool),
    processMetrics: options.processMetrics,
  });
  const operations = createOperationsMetrics(registry, { waitingByReason: () => waitingByKind(pool) });
  // 50 ms of records per statement: a statement per few webhooks cost Postgres more than the rows did.
  const attempts = new AttemptWriter({ pool, metrics: operations, log: (m) => log.warn(m), lingerMs: 50 });
  const ingest = new IngestService({
    pool,
    broker,
    exchange: topology.webhookExchange,
    metrics,
    log: (m) => log.warn(m),
  });
  const now = options.now ?? Date.now;
  const relay = new RelayService({ pool, broker, liveExchange: topology.liveExchange, metrics, now });
  return { config, pool, broker, topology, registry, metrics, operations, attempts, ingest, relay, now, log };
}

/** Finishes publishes in flight, then closes the broker connection and the pool. */
export async function closeDeps(deps: Deps): Promise<void> {
  await deps.ingest.drain();
  await deps.attempts.close();
  await deps.broker.close();
  await deps.pool.end();
}
