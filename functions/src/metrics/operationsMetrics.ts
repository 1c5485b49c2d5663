import { Counter, Gauge, type Registry } from 'prom-client';

/** Issue 17's metrics, beside the pipeline's in the same registry and name families (webhook_*, relay_*). */
export interface OperationsMetrics {
  attempts: Counter<'outcome'>;
  attemptsDropped: Counter;
  deadLettersWaiting: Gauge<'reason'>;
  deadLettersRecorded: Counter<'reason'>;
  redriven: Counter;
  replayed: Counter;
}

export interface OperationsMetricsOptions {
  /** Reads the waiting dead letters by reason when /metrics is scraped. */
  waitingByReason?: () => Promise<Array<{ reason: string; count: number }>>;
}

export function createOperationsMetrics(registry: Registry, options: OperationsMetricsOptions = {}): OperationsMetrics {
  const waitingByReason = options.waitingByReason;
  return {
    attempts: new Counter({
      name: 'webhook_attempts_total',
      help: 'Requests to /webhook recorded in the delivery log, by outcome (stored, duplicate or the refusal reason)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    attemptsDropped: new Counter({
      name: 'webhook_attempts_dropped_total',
      help: 'Delivery log records dropped because the writer queue was full or the database refused them',
      registers: [registry],
    }),
    deadLettersWaiting: new Gauge({
      name: 'relay_dead_letters_waiting',
      help: 'Dead-lettered webhooks not yet redriven, by reason class',
      labelNames: ['reason'],
      registers: [registry],
      async collect() {
        if (!waitingByReason) return;
        try {
          const rows = await waitingByReason();
          this.reset();
          for (const row of rows) this.set({ reason: row.reason }, row.count);
        } catch {
          // Database down: keep the last known values rather than failing the whole scrape.
        }
      },
    }),
    deadLettersRecorded: new Counter({
      name: 'relay_dead_letters_total',
      help: 'Messages taken from the dead-letter queue and recorded, by reason class',
      labelNames: ['reason'],
      registers: [registry],
    }),
    redriven: new Counter({
      name: 'relay_redriven_total',
      help: 'Dead-lettered webhooks re-published to the relay queue by a redrive',
      registers: [registry],
    }),
    replayed: new Counter({
      name: 'relay_replayed_total',
      help: 'Stored webhooks re-published to the relay queue by a replay',
      registers: [registry],
    }),
  };
}
