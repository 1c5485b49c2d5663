import type { HttpHandler, HttpMethod, InvocationContext, Timer } from '@azure/functions';
import type { HttpAuthLevel } from '../http/access';
import type { Deps } from './deps';

/** The setting the RabbitMQ trigger binding reads its connection string from. */
export const RABBITMQ_CONNECTION_SETTING = 'RabbitMQConnection';

export interface HttpFunction {
  kind: 'http';
  name: string;
  route: string;
  methods: HttpMethod[];
  /** Private by default: omitted means `function`; a door open to anyone says `anonymous` itself. */
  authLevel?: HttpAuthLevel;
  handler: (deps: Deps) => HttpHandler;
}

export interface TimerFunction {
  kind: 'timer';
  name: string;
  /** NCRONTAB with seconds, as the Functions host reads it. */
  schedule: string;
  handler: (deps: Deps) => (timer: Timer, context: InvocationContext) => Promise<void>;
}

export interface RabbitMQFunction {
  kind: 'rabbitmq';
  name: string;
  queueName: (deps: Pick<Deps, 'topology'>) => string;
  /** The queue name the Azure binding uses (it cannot be computed at registration). */
  azureQueueName: string;
  handler: (deps: Deps) => (message: unknown, context: InvocationContext) => Promise<void>;
}

/**
 * One declaration per function. The Azure registration and the local host both read it, so
 * the two cannot disagree on routes, methods, schedules or queues.
 */
export function authLevelOf(fn: HttpFunction): HttpAuthLevel {
  return fn.authLevel ?? 'function';
}

export type FunctionDeclaration = HttpFunction | TimerFunction | RabbitMQFunction;
