import type { FunctionDeclaration } from '../runtime/declaration';
import { attemptRetentionFunction } from './attemptRetention';
import { deadLetterRecorderFunction } from './deadLetterRecorder';
import { deadLettersFunction } from './deadLetters';
import { deliveriesFunction } from './deliveries';
import { eraseBuyerFunction } from './eraseBuyer';
import { healthFunction } from './health';
import { livenessFunction } from './liveness';
import { metricsFunction } from './metrics';
import { outboxFunction } from './outbox';
import { redriveFunction } from './redrive';
import { relayFunction } from './relay';
import { replayFunction } from './replay';
import { retentionFunction } from './retention';
import { statsFunction } from './stats';
import { ticketFunction } from './ticket';
import { ticketsFunction } from './tickets';
import { webhookFunction } from './webhook';
import { webhookStateFunction } from './webhookState';

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
  deliveriesFunction,
  webhookStateFunction,
  deadLettersFunction,
  redriveFunction,
  replayFunction,
  deadLetterRecorderFunction,
  attemptRetentionFunction,
];
