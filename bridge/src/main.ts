import { consoleLogger, type Env } from '../../functions/src';
import { HTTP_TIMEOUTS_HELP, runMain, type Running } from '../../kit/src';
import { startBridge } from './bridge';
import { loadBridgeConfig } from './config';

const HELP = `Usage: npm run bridge   (or: node dist/bridge/src/main.js)

The SSE bridge: consumes the petzi.live fanout exchange with one exclusive queue and streams
every live event to every client of GET /events (resume with Last-Event-ID, ?history=N).
Also serves GET /healthz and GET /metrics. See docs/stream.md.

Environment:
  PORT                        listening port (default 5001)
  HOST                        listening address (default 127.0.0.1: this machine only; 0.0.0.0 for every interface)
  PETZI_API_KEY               the key /events asks for (x-functions-key header or ?code=), comma-separated for
                              rotation; unset: /events open, allowed only on loopback outside production
  CORS_ORIGINS                origins allowed to read it cross-origin, comma-separated (default: none, no CORS header)
  DATABASE_URL                Postgres URL (alias DATABASE_URI); live_event is read for resume and gap fills
  RABBITMQ_URL                amqp URL (alias RabbitMQConnection)
  BRIDGE_HEARTBEAT_MS         heartbeat comment interval (default 15000)
  BRIDGE_CLIENT_BUFFER_BYTES  unread bytes a client may fall behind before it is disconnected (default 1048576)
  BRIDGE_TOPOLOGY_PREFIX      exchange name prefix (tests only; default none)
${HTTP_TIMEOUTS_HELP}

SIGINT/SIGTERM stop it gracefully: every stream gets ": shutting down" and is closed, then it exits 0.`;

async function start(env: Env): Promise<Running> {
  const config = loadBridgeConfig(env);
  const bridge = await startBridge({ config, log: consoleLogger });
  console.log(
    `SSE bridge listening on ${bridge.boundUrl} (stream: ${bridge.boundUrl}/events, metrics: ${bridge.boundUrl}/metrics; ` +
      `/events: ${config.access.openReads ? 'open, loopback development without PETZI_API_KEY' : 'function key required'})`,
  );
  return bridge;
}

void runMain({
  name: 'SSE bridge',
  help: HELP,
  start,
  stopping: 'closing streams',
  stopped: 'SSE bridge stopped',
  graceMs: 10_000,
  logError: (message) => consoleLogger.error(message),
});
