import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { PipelineMetrics } from '../metrics/pipelineMetrics';
import type { Refusal, RequestFacts } from './admission';

/** How one POST /webhook ended: stored, a duplicate, or refused with its reason. */
export type Outcome = { status: 'success' | 'duplicate'; webhookId: number; response: HttpResponseInit } | Refusal;

/** One delivery-log record: what the request showed and how it was answered. */
export interface DeliveryRecord extends RequestFacts {
  receivedAt: Date;
  outcome: string;
  status: number;
  declaredBytes: string | null;
  webhookId: number | null;
  forwardedFor: string | null;
}

export interface DeliveryDeps {
  metrics: Pick<PipelineMetrics, 'requests' | 'processingSeconds' | 'payloadBytes'>;
  /** Hands the record to the delivery log, which writes it off the hot path. */
  record: (record: DeliveryRecord) => void;
  now: () => number;
}

/**
 * The trace one POST /webhook leaves: its timer starts here, the checks fill in `facts`, and the
 * outcome (or the crash, which the guard answers 500) becomes its metrics and its delivery-log
 * record: the log says a request came even when its handler failed.
 */
export function startDelivery(request: HttpRequest, deps: DeliveryDeps) {
  const stopTimer = deps.metrics.processingSeconds.startTimer();
  const receivedAt = new Date(deps.now());
  const facts: RequestFacts = {};

  function record(done: Outcome): void {
    if (facts.bodyBytes !== undefined) deps.metrics.payloadBytes.inc(facts.bodyBytes);
    deps.record({
      receivedAt,
      outcome: done.status === 'error' ? done.reason : done.status === 'success' ? 'stored' : 'duplicate',
      status: done.response.status ?? 200,
      ...facts,
      declaredBytes: request.headers.get('content-length'),
      webhookId: done.status === 'error' ? null : done.webhookId,
      forwardedFor: request.headers.get('x-forwarded-for'),
    });
  }

  return {
    facts,
    /** Counts the outcome, records it and gives its reply. */
    finish(outcome: Outcome): HttpResponseInit {
      deps.metrics.requests.inc(
        outcome.status === 'error'
          ? { status: 'error', reason: outcome.reason }
          : { status: outcome.status, reason: '' },
      );
      stopTimer({ status: outcome.status });
      record(outcome);
      return outcome.response;
    },
    /** Records the failed request and passes its error on to the guard. */
    crashed(error: unknown): never {
      record({ status: 'error', reason: 'internal_error', response: { status: 500 } });
      throw error;
    },
  };
}
