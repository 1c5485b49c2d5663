/**
 * The one public entry of the functions package: kit/, host/, bridge/, dashboard/server/, simulator/,
 * tools/ and test/ import from here, never from a deep path (tools/test/layers.test.ts checks).
 * Importing it has no side effect: nothing connects, nothing registers with Azure. The function
 * files register themselves when loaded, so they are reached only through declaredFunctions().
 */
import type { FunctionDeclaration } from './runtime/declaration';

export * from './core/config';
export * as readEnv from './core/env';
export { declareVariables, type Env, type Variable } from './core/env';
export * from './core/errors';
export * from './core/logger';
export * from './http/access';
export * from './http/query';
export { isPositiveId } from './protocol/webhookMessage';
export * from './protocol/liveEvent';
export * from './protocol/ticket';
export * from './protocol/schema';
export * from './protocol/signature';
export * from './protocol/storableJson';
export * from './broker/connection';
export * from './broker/topology';
export * from './storage/ensureDatabase';
export * from './storage/migrate';
export * from './storage/pool';
export * from './metrics/handlerErrors';
export * from './metrics/pipelineMetrics';
export * from './ingest/body';
export * from './read-api/readModels';
// Issue 17: what `npm run ops` calls, the same services as the routes.
export * from './operate/types';
export * from './operate/attemptsSql';
export * from './operate/deadLettersSql';
export * from './operate/redrive';
export * from './operate/replay';
export {
  deadLettersQuery,
  deliveriesQuery,
  jsonObjectBody,
  nextCursor,
  redriveRequest,
  replayRequest,
} from './operate/requests';
export { rebuildTickets } from './relay/relay';
export { relayBatch, type RelayClaim } from './relay/projection';
export { insertWebhookEvents } from './storage/webhookEvents';
export * from './runtime/declaration';
export * from './runtime/deps';

/** Every declared function (functions/src/functions), loaded on first call. */
export function declaredFunctions(): FunctionDeclaration[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded late on purpose, see above
  return (require('./functions') as typeof import('./functions')).functions;
}
