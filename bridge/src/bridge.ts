import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import {
  BrokerConnection,
  topologyNames,
  type Logger,
  errorMessage,
  resolveAccess,
  ensureDatabase,
  migrate,
  createPool,
} from '../../functions/src';
import { createLimitedServer, boundUrl, listen, Slots } from '../../kit/src';
import { createBridgeMetrics } from './bridgeMetrics';
import { ClientHub } from './clientHub';
import type { BridgeConfig } from './config';
import { createRequestHandler } from './httpRoutes';
import { startLiveConsumer } from './liveConsumer';
import { LiveEventStore } from './liveEventStore';
import type { LiveFrame } from './liveFrame';
import { Sequencer } from './sequencer';

export interface BridgeOptions {
  config: BridgeConfig;
  /** Overrides config.port (0 picks a free port). */
  port?: number;
  hostname?: string;
  log: Logger;
  processMetrics?: boolean;
  /** How long start waits for RabbitMQ before serving anyway (it keeps reconnecting). */
  brokerWaitMs?: number;
  /** Apply pending migrations at start (default true), so the bridge can start before the host. */
  migrate?: boolean;
}

export interface RunningBridge {
  /** Where a client on this machine reaches it (127.0.0.1 even when bound wider). */
  url: string;
  /** What is really bound, e.g. http://0.0.0.0:5001. */
  boundUrl: string;
  port: number;
  /** The bridge's current queue on petzi.live (undefined while disconnected); for diagnostics and tests. */
  readonly liveQueue: string | undefined;
  /** Highest seq broadcast so far. */
  readonly lastSeq: number | undefined;
  /** Resolves when the events received so far have been written to the clients. */
  idle(): Promise<void>;
  /** Graceful: stop accepting, end every stream with a comment, cancel the consumer, close broker and pool. */
  stop(): Promise<void>;
}

export { PortInUseError } from '../../kit/src';

const RESYNC_RETRY_MS = 1000;
const STOP_GRACE_MS = 3000;

export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const { config, log } = options;
  const warn = (message: string) => log.warn(message);
  // Listen first, so a taken port fails before anything touches Postgres or RabbitMQ;
  // requests that come in meanwhile wait for the handler.
  let handle: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | undefined;
  let handlerReady!: () => void;
  const ready = new Promise<void>((resolve) => (handlerReady = resolve));
  const server = createLimitedServer(config.httpTimeouts, (req, res) => {
    if (handle) handle(req, res);
    else void ready.then(() => handle?.(req, res));
  });
  const port = options.port ?? config.port;
  const hostname = options.hostname ?? config.hostname;
  // A hostname given here rather than by HOST is held to the same rule: no key, no wide bind.
  const access = hostname === config.hostname ? config.access : resolveAccess(config.access.keys, hostname, {});
  await listen(server, port, hostname);
  const pool = createPool(config.databaseUrl, { onError: (error) => warn(`postgres: ${error.message}`) });
  try {
    if (options.migrate !== false) {
      await ensureDatabase(config.databaseUrl);
      await migrate(pool);
    }
  } catch (error) {
    await pool.end();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  const store = new LiveEventStore(pool);
  const registry = new Registry();
  let hub: ClientHub | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;
  const sequencer: Sequencer<LiveFrame> = new Sequencer<LiveFrame>({
    source: store,
    deliver: (frame) => hub?.broadcast(frame),
    onError: (error) => {
      warn(`live events: cannot read live_event (${errorMessage(error)}); retrying`);
      resyncTimer ??= setTimeout(() => {
        resyncTimer = undefined;
        void sequencer.resync();
      }, RESYNC_RETRY_MS);
    },
  });
  const metrics = createBridgeMetrics(registry, {
    connectedClients: () => hub?.size ?? 0,
    lastSeq: () => sequencer.lastSeq,
    processMetrics: options.processMetrics,
  });
  hub = new ClientHub(config.clientBufferBytes, metrics);
  const clients = hub;
  // The live stream's starting point must be fixed before any client can replay: a client that
  // replayed up to seq M before the sequencer read its start S > M would never be sent (M, S].
  await sequencer.resync();

  let broker: BrokerConnection;
  try {
    broker = await BrokerConnection.open(config.rabbitmqUrl, { log: warn });
  } catch (error) {
    await pool.end();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  broker.on('connected', (count: number) => {
    if (count > 1) metrics.reconnects.inc();
  });
  const consumer = await startLiveConsumer({
    broker,
    exchange: topologyNames(config.topologyPrefix).liveExchange,
    sequencer,
    refused: metrics.liveRefused,
    log: warn,
  });

  let accepting = true;
  handle = createRequestHandler({
    hub: clients,
    store,
    metrics,
    registry,
    corsHeaders: {},
    corsOrigins: config.corsOrigins,
    access,
    log: warn,
    maxHistory: config.maxHistory,
    streams: new Slots(config.maxStreams),
    accepting: () => accepting,
    health: async () => ({
      postgres: await pool.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      rabbitmq: broker.connected && consumer.queue !== undefined,
    }),
  });
  handlerReady();
  const closeResources = async () => {
    await consumer.stop();
    await broker.close();
    await sequencer.idle();
    await pool.end();
  };
  const heartbeat = setInterval(() => clients.heartbeat(), config.heartbeatMs);

  try {
    await broker.waitUntilConnected(options.brokerWaitMs ?? 5000);
  } catch (error) {
    warn(`${errorMessage(error)}; serving from Postgres until it connects`);
  }
  await sequencer.idle();

  const boundPort = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${boundPort}`,
    boundUrl: boundUrl(server),
    port: boundPort,
    get liveQueue() {
      return consumer.queue;
    },
    get lastSeq() {
      return sequencer.lastSeq;
    },
    idle: async () => {
      await sequencer.idle();
      clients.flush();
    },
    stop() {
      stopping ??= (async () => {
        accepting = false;
        clearInterval(heartbeat);
        if (resyncTimer) clearTimeout(resyncTimer);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        clients.closeAll();
        // Keep-alive sockets that just finished a /metrics or /healthz reply are idle, not closing.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        const force = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
        await closed;
        clearInterval(sweep);
        clearTimeout(force);
        await closeResources();
      })();
      return stopping;
    },
  };
}
