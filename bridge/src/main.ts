import { consoleLogger, readEnv, type Env } from '../../functions/src';
import { runMain, type Running } from '../../kit/src';
import { startBridge } from './bridge';
import { BRIDGE_VARIABLES, loadBridgeConfig } from './config';

const HELP = `Usage: npm run bridge   (or: node dist/bridge/src/main.js)

The SSE bridge: consumes the petzi.live fanout exchange with one exclusive queue and streams
every live event to every client of GET /events (resume with Last-Event-ID, ?history=N).
Also serves GET /healthz and GET /metrics. See docs/stream.md.

Environment:
${readEnv.variablesHelp(BRIDGE_VARIABLES)}

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
