import { Counter, Gauge, type Registry } from 'prom-client';

export interface StreamMetrics {
  /** Clients cut off for leaving more than the buffer bound unread (the bridge's slow-client rule). */
  droppedSlow: Counter;
  /** GET /events refused with a 503, by cap: overall or per_session. */
  refused: Counter<'limit'>;
}

/**
 * The live stream's families, in the dashboard server's own registry (it serves no /metrics;
 * tests and a debugger read it).
 */
export function createStreamMetrics(registry: Registry, openStreams: () => number): StreamMetrics {
  new Gauge({
    name: 'dashboard_sse_streams_open',
    help: 'Live streams the dashboard server is passing on now',
    registers: [registry],
    collect() {
      this.set(openStreams());
    },
  });
  const refused = new Counter({
    name: 'dashboard_sse_streams_refused_total',
    help: 'GET /events refused with a 503: overall (DASHBOARD_MAX_STREAMS) or per_session (DASHBOARD_MAX_STREAMS_PER_SESSION)',
    labelNames: ['limit'],
    registers: [registry],
  });
  for (const limit of ['overall', 'per_session']) refused.inc({ limit }, 0);
  return {
    droppedSlow: new Counter({
      name: 'dashboard_sse_clients_dropped_total',
      help: 'Stream clients cut off for leaving more than DASHBOARD_CLIENT_BUFFER_BYTES unread (they resume with Last-Event-ID)',
      registers: [registry],
    }),
    refused,
  };
}
