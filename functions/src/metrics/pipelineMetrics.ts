import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import { createHandlerErrorCounter } from './handlerErrors';

/**
 * Every metric the functions expose, on a registry the caller owns. The first three keep the
 * seed POC's names and types so existing dashboards and alerts still work.
 */
export interface PipelineMetrics {
  requests: Counter<'status' | 'reason'>;
  processingSeconds: Histogram<'status'>;
  payloadBytes: Counter;
  published: Counter<'source'>;
  publishFailures: Counter<'source'>;
  outboxBacklog: Gauge;
  relayed: Counter<'outcome'>;
  /** Messages no stored webhook backs (reason unknown_webhook or body_mismatch): dead-lettered, never relayed. */
  unverified: Counter<'reason'>;
  /** Requests a function failed unexpectedly (500), by function name. */
  handlerErrors: Counter<'handler'>;
}

export interface MetricsOptions {
  /** Reads the number of unpublished rows when /metrics is scraped. */
  backlog?: () => Promise<number>;
  /** Process metrics (CPU, memory, event loop); off in tests that build many registries. */
  processMetrics?: boolean;
}

export function createPipelineMetrics(registry: Registry, options: MetricsOptions = {}): PipelineMetrics {
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const backlog = options.backlog;
  return {
    requests: new Counter({
      name: 'webhook_requests_total',
      help: 'Webhook requests by outcome; reason names the check that rejected an error',
      labelNames: ['status', 'reason'],
      registers: [registry],
    }),
    processingSeconds: new Histogram({
      name: 'webhook_processing_time_seconds',
      help: 'Time from request received to reply, in seconds',
      labelNames: ['status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    payloadBytes: new Counter({
      name: 'webhook_payload_size_bytes',
      help: 'Bytes of webhook bodies received',
      registers: [registry],
    }),
    published: new Counter({
      name: 'webhook_published_total',
      help: 'Webhooks confirmed by RabbitMQ, by who published them (inline after commit, or the outbox)',
      labelNames: ['source'],
      registers: [registry],
    }),
    publishFailures: new Counter({
      name: 'webhook_publish_failures_total',
      help: 'Publishes that RabbitMQ did not confirm; the outbox retries them',
      labelNames: ['source'],
      registers: [registry],
    }),
    outboxBacklog: new Gauge({
      name: 'webhook_outbox_backlog',
      help: 'Stored webhooks not yet confirmed by RabbitMQ',
      registers: [registry],
      async collect() {
        if (!backlog) return;
        try {
          this.set(await backlog());
        } catch {
          // Database down: keep the last known value rather than failing the whole scrape.
        }
      },
    }),
    relayed: new Counter({
      name: 'relay_messages_total',
      help: 'Messages handled by the relay function, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    unverified: new Counter({
      name: 'relay_unverified_messages_total',
      help: 'Messages the relay refused because no stored webhook backs them (unknown_webhook: no such id; body_mismatch: another body hash); each is dead-lettered, never relayed',
      labelNames: ['reason'],
      registers: [registry],
    }),
    handlerErrors: createHandlerErrorCounter(registry),
  };
}
