import { InvocationContext, type Timer } from '@azure/functions';
import { Cron } from 'croner';
import { randomUUID } from 'node:crypto';
import { type Deps, type TimerFunction, errorMessage } from '../../functions/src';
import { contextLog } from './invocation';

export interface TimerHost {
  /** Stops the schedules and waits for a run in progress. */
  stop(): Promise<void>;
}

/** Fires each timer function on its NCRONTAB schedule; a run still going when the next is due is skipped. */
export function startTimers(functions: TimerFunction[], deps: Deps, onError: (message: string) => void): TimerHost {
  const running = new Set<Promise<void>>();
  const jobs = functions.map((fn) => {
    const handler = fn.handler(deps);
    let last = new Date();
    const job: Cron = new Cron(fn.schedule, { protect: true }, async () => {
      const next = job.nextRun() ?? new Date();
      const timer: Timer = {
        isPastDue: false,
        schedule: { adjustForDST: true },
        scheduleStatus: { last: last.toISOString(), next: next.toISOString(), lastUpdated: new Date().toISOString() },
      };
      last = new Date();
      const context = new InvocationContext({
        invocationId: randomUUID(),
        functionName: fn.name,
        logHandler: contextLog(deps.log, fn.name),
        options: { trigger: { type: 'timerTrigger', name: 'timer' } },
      });
      const run = handler(timer, context).catch((error: unknown) =>
        onError(`timer ${fn.name} failed: ${errorMessage(error)}`),
      );
      running.add(run);
      await run;
      running.delete(run);
    });
    return job;
  });
  return {
    async stop() {
      jobs.forEach((job) => job.stop());
      await Promise.allSettled([...running]);
    },
  };
}
