import type { SimulatorOptions } from './args';
import { INVALID_CASES } from './invalid';
import { PayloadGenerator, type GeneratedBody } from './payloads';
import { createPacer } from './pacer';
import { runPool } from './pool';
import { startProgress, type OutputStream } from './progress';
import type { CaseResult, RunReport } from './report';
import { signedRequest, unixSeconds } from './request';
import { isUnreachable, type Outcome, type Sender } from './send';
import { Tally } from './tally';

/** Nothing answered at the URL: the CLI says so plainly and exits 2. */
export class UnreachableError extends Error {
  override name = 'UnreachableError';
  constructor(
    readonly url: string,
    readonly detail: string,
  ) {
    super(`cannot reach ${url}: ${detail}`);
  }
}

export interface RunDeps {
  sender: Sender;
  /** Wall clock in ms, for signature timestamps. */
  now: () => number;
  /** Monotonic clock in ms, for pacing, deadlines and elapsed time. */
  monotonic: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Where the progress bar or lines go; none when omitted. */
  progress?: OutputStream;
}

/** The CLI's options for a run of valid webhooks, once its seed and payload date are fixed. */
export type ValidRunOptions = Pick<
  SimulatorOptions,
  'url' | 'secret' | 'count' | 'concurrency' | 'rate' | 'durationSeconds' | 'event'
> & {
  seed: number;
  date: string;
};

function unreachable(url: string, outcome: Outcome): UnreachableError {
  const detail =
    outcome.kind === 'error'
      ? `${outcome.error}${outcome.code && !outcome.error.includes(outcome.code) ? ` (${outcome.code})` : ''}`
      : 'no answer';
  return new UnreachableError(url, detail);
}

/** Sends generated, signed payloads and expects 200 for each. */
export async function runValid(options: ValidRunOptions, deps: RunDeps): Promise<RunReport> {
  const generator = new PayloadGenerator({ seed: options.seed, mode: options.event, baseDate: options.date });
  const tally = new Tally();
  const pacer = options.rate === undefined ? undefined : createPacer(options.rate);
  const started = deps.monotonic();
  const durationMs = options.durationSeconds === undefined ? undefined : options.durationSeconds * 1000;
  const deadline = durationMs === undefined ? Number.POSITIVE_INFINITY : started + durationMs;
  let taken = 0;
  let answered = false;
  let unreachableOutcome: Outcome | undefined;

  const showProgress = deps.progress !== undefined && (options.count === undefined || options.count > 1);
  const progress = showProgress
    ? startProgress(deps.progress as OutputStream, () => ({
        done: tally.counts.sent,
        unexpected: tally.counts.unexpected,
        elapsedMs: deps.monotonic() - started,
        total: options.count,
        durationMs,
      }))
    : undefined;

  try {
    await runPool<GeneratedBody>({
      concurrency: options.concurrency,
      stopped: () => unreachableOutcome !== undefined,
      waitTurn: pacer
        ? async () => {
            const wait = pacer.reserve(deps.monotonic());
            if (wait > 0) await deps.sleep(Math.min(wait, Math.max(0, deadline - deps.monotonic())));
          }
        : undefined,
      nextJob: () => {
        if (options.count !== undefined && taken >= options.count) return null;
        if (deps.monotonic() >= deadline) return null;
        taken += 1;
        const generated = generator.next();
        return { index: generated.index, dependsOn: generated.dependsOn, payload: generated };
      },
      perform: async ({ payload }) => {
        // Signed at send time, not generation time, so long paced runs never go stale.
        const outcome = await deps.sender.send(signedRequest(payload.body, options.secret, unixSeconds(deps.now())));
        if (outcome.kind === 'response') answered = true;
        else if (!answered && isUnreachable(outcome)) unreachableOutcome ??= outcome;
        tally.add(`#${payload.index + 1} ${payload.event} ${payload.ticketNumber}`, 200, outcome);
      },
    });
  } finally {
    progress?.stop();
  }
  if (unreachableOutcome) throw unreachable(options.url, unreachableOutcome);
  return {
    url: options.url,
    mode: 'valid',
    event: options.event,
    seed: options.seed,
    date: options.date,
    durationMs: deps.monotonic() - started,
    summary: tally.summary(),
  };
}

export interface InvalidRunOptions {
  url: string;
  secret: string;
  seed: number;
  date: string;
  maxBodyBytes: number;
}

/** Sends each case of the catalogue once, one after the other, and compares statuses. */
export async function runInvalid(options: InvalidRunOptions, deps: RunDeps): Promise<RunReport> {
  const validBody = new PayloadGenerator({ seed: options.seed, mode: 'ticket_created', baseDate: options.date }).next()
    .body;
  const tally = new Tally();
  const cases: CaseResult[] = [];
  const started = deps.monotonic();
  for (const invalidCase of INVALID_CASES) {
    const request = invalidCase.build({
      secret: options.secret,
      timestamp: unixSeconds(deps.now()),
      validBody,
      maxBodyBytes: options.maxBodyBytes,
    });
    const outcome = await deps.sender.send(request);
    if (cases.length === 0 && isUnreachable(outcome)) throw unreachable(options.url, outcome);
    const asExpected = tally.add(invalidCase.name, invalidCase.expectedStatus, outcome);
    cases.push({
      name: invalidCase.name,
      description: invalidCase.description,
      expectedStatus: invalidCase.expectedStatus,
      status: outcome.kind === 'response' ? outcome.status : null,
      asExpected,
    });
  }
  return {
    url: options.url,
    mode: 'invalid',
    event: 'ticket_created',
    seed: options.seed,
    date: options.date,
    durationMs: deps.monotonic() - started,
    summary: tally.summary(),
    cases,
  };
}
