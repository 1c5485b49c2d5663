import type { FunctionDeclaration } from '../runtime/declaration';
import { eraseBuyerFunction } from './eraseBuyer';
import { healthFunction } from './health';
import { livenessFunction } from './liveness';
import { metricsFunction } from './metrics';
import { outboxFunction } from './outbox';
import { relayFunction } from './relay';
import { retentionFunction } from './retention';
import { statsFunction } from './stats';
import { ticketFunction, ticketsFunction } from './tickets';
import { webhookFunction } from './webhook';

/** Every declared function, for the local host; the Functions worker loads the files by the `main` glob. */
export const functions: FunctionDeclaration[] = [
  webhookFunction,
  metricsFunction,
  healthFunction,
  livenessFunction,
  outboxFunction,
  relayFunction,
  retentionFunction,
  ticketsFunction,
  ticketFunction,
  statsFunction,
  eraseBuyerFunction,
];
