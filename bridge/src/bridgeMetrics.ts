import { Counter, Gauge, collectDefaultMetrics, type Registry } from 'prom-client';
import { createHandlerErrorCounter, LIVE_BATCH_REFUSALS } from '../../functions/src';
import type { DropReason } from './sseClient';

export interface BridgeMetrics {
  sent: Counter;
  replayed: Counter;
  dropped: Counter<'reason'>;
  reconnects: Counter;
  /** Messages on petzi.live that are not a relay batch, by reason (LIVE_BATCH_REFUSALS). */
  liveRefused: Counter<'reason'>;
  /** /events requests refused with a 503 because a stream cap was reached, by cap. */
  refused: Counter<'limit'>;
  /** Requests a route failed unexpectedly (500), by route. */
  handlerErrors: Counter<'handler'>;
}

export interface BridgeMetricsOptions {
  connectedClients: () => number;
  lastSeq: () => number | undefined;
  processMetrics?: boolean;
}

export function createBridgeMetrics(registry: Registry, options: BridgeMetricsOptions): BridgeMetrics {
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'sse_clients_connected',
    help: 'SSE clients currently connected to /events',
    registers: [registry],
    collect() {
      this.set(options.connectedClients());
    },
  });
  new Gauge({
    name: 'bridge_last_seq',
    help: 'Highest live_event seq broadcast by this bridge (0 before the first)',
    registers: [registry],
    collect() {
      this.set(options.lastSeq() ?? 0);
    },
  });
  const dropped = new Counter({
    name: 'sse_clients_dropped_total',
    help: 'SSE clients that went away: slow (disconnected past the buffer bound) or closed (by the client)',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of ['slow', 'closed'] satisfies DropReason[]) dropped.inc({ reason }, 0);
  const liveRefused = new Counter({
    name: 'bridge_live_messages_refused_total',
    help: 'Messages on petzi.live refused for not being a relay batch (docs/protocol.md), by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of LIVE_BATCH_REFUSALS) liveRefused.inc({ reason }, 0);
  const refused = new Counter({
    name: 'sse_clients_refused_total',
    help: 'GET /events refused with a 503 because a cap on open streams was reached: overall (BRIDGE_MAX_STREAMS) or per_key',
    labelNames: ['limit'],
    registers: [registry],
  });
  for (const limit of ['overall', 'per_key']) refused.inc({ limit }, 0);
  return {
    sent: new Counter({
      name: 'sse_events_sent_total',
      help: 'Live events written to SSE clients (one per client)',
      registers: [registry],
    }),
    replayed: new Counter({
      name: 'sse_events_replayed_total',
      help: 'Events written to SSE clients from Postgres (Last-Event-ID resume and ?history)',
      registers: [registry],
    }),
    dropped,
    refused,
    reconnects: new Counter({
      name: 'bridge_broker_reconnects_total',
      help: 'Times the bridge reconnected to RabbitMQ',
      registers: [registry],
    }),
    liveRefused,
    handlerErrors: createHandlerErrorCounter(registry),
  };
}
