import { ConfigError, consoleLogger, errorMessage, HTTP_TIMEOUTS_HELP, keepRunningOnUnhandledRejections, stopOnSignal } from '../../functions/src';
import { PortInUseError, startBridge } from './bridge';
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

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(HELP);
    return;
  }
  const unknown = process.argv.slice(2).filter((arg) => arg !== '--help' && arg !== '-h');
  if (unknown.length > 0) throw new ConfigError(`unknown argument ${unknown[0]} (the bridge is configured by environment; see --help)`);
  keepRunningOnUnhandledRejections((message) => consoleLogger.error(message));
  const config = loadBridgeConfig();
  const bridge = await startBridge({ config, log: consoleLogger });
  console.log(
    `SSE bridge listening on ${bridge.boundUrl} (stream: ${bridge.boundUrl}/events, metrics: ${bridge.boundUrl}/metrics; ` +
      `/events: ${config.access.openReads ? 'open, loopback development without PETZI_API_KEY' : 'function key required'})`,
  );

  stopOnSignal(() => bridge.stop(), { stopping: 'closing streams', stopped: 'SSE bridge stopped', graceMs: 10_000 });
}

main().catch((error: unknown) => {
  if (error instanceof PortInUseError) {
    console.error(`${error.message}: set PORT to move the SSE bridge.`);
  } else if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error(`SSE bridge failed to start: ${errorMessage(error)}`);
  }
  process.exit(1);
});
