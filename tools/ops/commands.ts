import {
  closeDeps,
  createDeps,
  type Deps,
  listAttempts,
  deadLetterPage,
  redrive,
  replay,
  deadLettersQuery,
  deliveriesQuery,
  nextCursor,
  redriveRequest,
  replayRequest,
  type Config,
  type Logger,
  rebuildTickets,
} from '../../functions/src';
import type { Command } from './args';
import { UnreachableError } from './connect';
import { progressBar } from './progress';
import { deadLetterTable, deliveryTable } from './tables';

export interface Output {
  out: (text: string) => void;
  err: NodeJS.WriteStream;
}

const BROKER_WAIT_MS = 10_000;

async function withDeps<T>(
  config: Config,
  log: Logger,
  topologyPrefix: string | undefined,
  needsBroker: boolean,
  work: (deps: Deps) => Promise<T>,
): Promise<T> {
  let deps: Deps;
  try {
    deps = await createDeps(config, { log, topologyPrefix, processMetrics: false });
  } catch (error) {
    throw new UnreachableError(
      `cannot open the pipeline's database or broker: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    if (needsBroker) {
      await deps.broker.waitUntilConnected(BROKER_WAIT_MS).catch(() => {
        throw new UnreachableError(`RabbitMQ did not answer within ${BROKER_WAIT_MS / 1000} s`);
      });
    }
    return await work(deps);
  } finally {
    await closeDeps(deps);
  }
}

/** Runs one command on the same services the routes use; returns nothing, prints what it did. */
export async function runCommand(
  command: Exclude<Command, { name: 'help' }>,
  config: Config,
  io: Output,
  log: Logger,
  topologyPrefix?: string,
): Promise<void> {
  switch (command.name) {
    case 'deliveries': {
      const { filter, limit, beforeId } = deliveriesQuery(command.query);
      await withDeps(config, log, topologyPrefix, false, async (deps) => {
        const items = await listAttempts(deps.pool, filter, limit, beforeId);
        const cursor = nextCursor('deliveries', items, limit);
        io.out(command.json ? JSON.stringify({ items, nextCursor: cursor }) : deliveryTable(items, cursor));
      });
      return;
    }
    case 'dead-letters': {
      const { state, limit, beforeId } = deadLettersQuery(command.query);
      await withDeps(config, log, topologyPrefix, false, async (deps) => {
        const { items, waiting } = await deadLetterPage(deps.pool, state, limit, beforeId);
        const cursor = nextCursor('dead-letters', items, limit);
        io.out(
          command.json
            ? JSON.stringify({ items, nextCursor: cursor, waiting })
            : deadLetterTable(items, cursor, waiting),
        );
      });
      return;
    }
    case 'redrive': {
      const request = redriveRequest(command.body);
      await withDeps(config, log, topologyPrefix, true, async (deps) => {
        const result = await redrive(
          { pool: deps.pool, broker: deps.broker, relayQueue: deps.topology.relayQueue, metrics: deps.operations },
          request,
        );
        io.out(
          command.json
            ? JSON.stringify(result)
            : `redriven ${result.redriven}${result.ids.length > 0 ? `: ${result.ids.join(', ')}` : ''}`,
        );
      });
      return;
    }
    case 'replay': {
      const { range, rebuild } = replayRequest(command.body);
      await withDeps(config, log, topologyPrefix, true, async (deps) => {
        const bar = command.quiet ? undefined : progressBar(io.err, 'replay');
        const started = Date.now();
        const result = await replay(
          {
            pool: deps.pool,
            broker: deps.broker,
            relayQueue: deps.topology.relayQueue,
            metrics: deps.operations,
            rebuildTickets: () => rebuildTickets(deps.pool),
          },
          range,
          { rebuild, onProgress: (done, total) => bar?.update(done, total) },
        );
        bar?.end();
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        io.out(
          command.json
            ? JSON.stringify(result)
            : `replayed ${result.replayed} webhooks in ${seconds} s${result.rebuilt ? ', ticket projection rebuilt first' : ''}`,
        );
      });
      return;
    }
  }
}
