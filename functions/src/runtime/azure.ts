import { app, trigger, type HttpRequest, type InvocationContext, type Timer } from '@azure/functions';
import { loadConfig } from '../core/config';
import { errorMessage } from '../core/errors';
import { authLevelOf, methodsOf, RABBITMQ_CONNECTION_SETTING, type FunctionDeclaration } from './declaration';
import { closeDeps, createDeps, type Deps } from './deps';
import { consoleLogger } from '../core/logger';

/**
 * True inside the Functions worker, which provides `@azure/functions-core`. Elsewhere (the local
 * host, tests) registering would only print the library's test-mode warning.
 */
function inFunctionsWorker(): boolean {
  try {
    // Loaded, not imported: its absence is the answer, and only the worker provides it at run time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@azure/functions-core');
    return true;
  } catch {
    return false;
  }
}

let shared: Promise<Deps> | undefined;

/** The worker's dependencies, created on first invocation (nothing connects at import time). */
function workerDeps(): Promise<Deps> {
  if (!shared) {
    shared = createDeps(loadConfig(), { log: consoleLogger }).catch((error: unknown) => {
      shared = undefined;
      throw error;
    });
    app.hook.appTerminate(async () => {
      if (shared) await closeDeps(await shared).catch((error: unknown) => console.error(errorMessage(error)));
    });
  }
  return shared;
}

/** Registers one declared function with the Azure Functions programming model. */
export function registerFunction(declaration: FunctionDeclaration): void {
  if (!inFunctionsWorker()) return;
  switch (declaration.kind) {
    case 'http':
      app.http(declaration.name, {
        route: declaration.route,
        methods: methodsOf(declaration),
        // Azure enforces the keys in the cloud; the local host enforces the same level itself.
        authLevel: authLevelOf(declaration),
        handler: async (request: HttpRequest, context: InvocationContext) =>
          declaration.handler(await workerDeps())(request, context),
      });
      return;
    case 'timer':
      app.timer(declaration.name, {
        schedule: declaration.schedule,
        runOnStartup: false,
        handler: async (timer: Timer, context: InvocationContext) =>
          declaration.handler(await workerDeps())(timer, context),
      });
      return;
    case 'rabbitmq':
      app.generic(declaration.name, {
        trigger: trigger.generic({
          type: 'rabbitMQTrigger',
          queueName: declaration.azureQueueName,
          connectionStringSetting: RABBITMQ_CONNECTION_SETTING,
        }),
        handler: async (message: unknown, context: InvocationContext) =>
          declaration.handler(await workerDeps())(message, context),
      });
      return;
  }
}
