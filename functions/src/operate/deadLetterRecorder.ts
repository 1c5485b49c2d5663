import type { Pool } from 'pg';
import type { OperationsMetrics } from '../metrics/operationsMetrics';
import { DatabaseUnavailableError } from '../core/errors';
import { insertDeadLetter } from './deadLettersSql';
import { webhookIdOf } from './relayFailures';

export interface DeadLetterRecorderDeps {
  pool: Pool;
  metrics: OperationsMetrics;
  log: (message: string) => void;
  /** Waits between tries while Postgres is unavailable (tests shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

/** Header the Azure RabbitMQ extension counts redeliveries in. */
const REQUEUE_HEADER = 'x-ms-rabbitmq-requeuecount';
const OUTAGE_TRIES = 10;
const OUTAGE_WAIT_MS = 1_000;

function triesOf(headers: unknown): number {
  const raw =
    typeof headers === 'object' && headers !== null ? (headers as Record<string, unknown>)[REQUEUE_HEADER] : undefined;
  const count = Number(raw ?? NaN);
  return Number.isSafeInteger(count) && count >= 0 ? count + 1 : 1;
}

export type RecordOutcome = { recorded: true; deadLetterId: number; kind: string } | { recorded: false; why: string };

/**
 * Records one message of petzi.relay.dlq in Postgres; the trigger then acknowledges it, so the
 * queue is drained and Postgres is the list to read and redrive from. A message that names no
 * stored webhook cannot be redriven from Postgres: it is logged and counted, not kept.
 */
export async function recordDeadLetter(
  deps: DeadLetterRecorderDeps,
  message: unknown,
  headers: unknown,
): Promise<RecordOutcome> {
  const webhookId = webhookIdOf(message);
  if (webhookId === undefined) return unrecordable(deps, 'the message names no webhook id');
  const tries = triesOf(headers);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt += 1) {
    try {
      const row = await insertDeadLetter(deps.pool, webhookId, {
        reason: `dead-lettered after ${tries} tries; the relay's reason was not recorded`,
        tries,
      });
      if (!row) return unrecordable(deps, `no stored webhook ${webhookId}`);
      deps.metrics.deadLettersRecorded.inc({ reason: row.kind });
      return { recorded: true, deadLetterId: row.id, kind: row.kind };
    } catch (error) {
      // An outage is waited out here: thrown, the trigger's few quick retries would end in a loss.
      if (!(error instanceof DatabaseUnavailableError) || attempt >= OUTAGE_TRIES) throw error;
      await sleep(OUTAGE_WAIT_MS);
    }
  }
}

function unrecordable(deps: DeadLetterRecorderDeps, why: string): RecordOutcome {
  deps.metrics.deadLettersRecorded.inc({ reason: 'unrecordable' });
  deps.log(`dead letter not recorded: ${why}`);
  return { recorded: false, why };
}
