import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  declaredFunctions,
  type Config,
  type FunctionDeclaration,
  type HttpFunction,
  type RabbitMQFunction,
  type TimerFunction,
  closeDeps,
  createDeps,
  type Deps,
  type Logger,
  accessKeysFromEnv,
  resolveAccess,
  type Access,
} from '../../functions/src';
import { reportFailures, boundUrl, listen, LOOPBACK, type HttpTimeouts } from '../../kit/src';
import { createHttpHost } from './httpServer';
import { startRabbitTriggers } from './rabbitTriggers';
import { startTimers } from './timers';

export interface HostOptions {
  config: Config;
  port: number;
  /** Default 127.0.0.1: reachable from this machine only. */
  hostname?: string;
  /** Keys for the function- and admin-level routes; default: none, which only loopback development allows. */
  access?: Access;
  log: Logger;
  functions?: FunctionDeclaration[];
  topologyPrefix?: string;
  processMetrics?: boolean;
  now?: () => number;
  /** Limits on slow and idle clients; main.ts reads them from HTTP_*_TIMEOUT_MS. */
  httpTimeouts?: Partial<HttpTimeouts>;
}

export interface RunningHost {
  /** Where a client on this machine reaches it (127.0.0.1 even when bound wider). */
  url: string;
  /** What is really bound, e.g. http://0.0.0.0:5000. */
  boundUrl: string;
  port: number;
  deps: Deps;
  /** The HTTP server: a test may watch every request it parses (its access log, as it were). */
  server: Server;
  /** Graceful: stop accepting, finish in-flight requests and invocations, drain publishes, close everything. */
  stop(): Promise<void>;
}

export { PortInUseError } from '../../kit/src';

/** The local stand-in for the Functions host: every declared function, served from one process. */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const declarations = options.functions ?? declaredFunctions();
  const hostname = options.hostname ?? LOOPBACK;
  const access = options.access ?? resolveAccess(accessKeysFromEnv({}), hostname, {});
  const deps = await createDeps(options.config, {
    log: options.log,
    topologyPrefix: options.topologyPrefix,
    processMetrics: options.processMetrics,
    now: options.now,
  });
  const onError = (message: string) => options.log.error(message);
  const http = createHttpHost(
    declarations.filter((d): d is HttpFunction => d.kind === 'http'),
    deps,
    {
      maxBodyBytes: options.config.maxBodyBytes,
      onFailure: reportFailures(onError, deps.metrics.handlerErrors),
      access,
      ...options.httpTimeouts,
    },
  );
  try {
    await listen(http.server, options.port, hostname);
  } catch (error) {
    await closeDeps(deps);
    throw error;
  }
  const timers = startTimers(
    declarations.filter((d): d is TimerFunction => d.kind === 'timer'),
    deps,
    onError,
  );
  const triggers = await startRabbitTriggers(
    declarations.filter((d): d is RabbitMQFunction => d.kind === 'rabbitmq'),
    deps,
    onError,
  );
  const port = (http.server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    boundUrl: boundUrl(http.server),
    port,
    deps,
    server: http.server,
    stop() {
      stopping ??= (async () => {
        await http.close();
        await timers.stop();
        await triggers.stop();
        await closeDeps(deps);
      })();
      return stopping;
    },
  };
}
