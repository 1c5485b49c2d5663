/**
 * What the Functions worker would receive: the real function files are imported with
 * `@azure/functions` replaced by a recorder and the worker's core module made resolvable.
 */
const calls: Array<{ kind: string; name: string; options: Record<string, unknown> }> = [];

jest.mock('@azure/functions-core', () => ({}), { virtual: true });
jest.mock('@azure/functions', () => {
  const record = (kind: string) => (name: string, options: Record<string, unknown>) =>
    calls.push({ kind, name, options });
  return {
    app: {
      http: record('http'),
      timer: record('timer'),
      generic: record('generic'),
      hook: { appTerminate: jest.fn() },
    },
    trigger: { generic: (options: Record<string, unknown>) => ({ ...options }) },
  };
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { functions } from '../src/functions';

const readRootJson = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', name), 'utf8'));

const byName = (name: string) => {
  const found = calls.find((c) => c.name === name);
  if (!found) throw new Error(`${name} was not registered`);
  return found;
};

describe('Azure registration', () => {
  it('registers every declared function exactly once', () => {
    expect(calls.map((c) => c.name).sort()).toEqual(functions.map((f) => f.name).sort());
    expect(new Set(calls.map((c) => c.name)).size).toBe(calls.length);
  });

  // HEAD wherever GET (methodsOf): the worker answers it as the local host does.
  it.each([
    ['webhook', 'webhook', ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'], 'anonymous'],
    ['metrics', 'metrics', ['GET', 'HEAD'], 'anonymous'],
    ['liveness', 'healthz', ['GET', 'HEAD'], 'anonymous'],
    ['health', 'api/health', ['GET', 'HEAD'], 'function'],
    ['tickets', 'api/tickets', ['GET', 'HEAD'], 'function'],
    ['ticket', 'api/tickets/{number}', ['GET', 'HEAD'], 'function'],
    ['stats', 'api/stats', ['GET', 'HEAD'], 'function'],
    ['eraseBuyer', 'api/tickets/{number}/buyer', ['DELETE'], 'admin'],
    ['deliveries', 'api/deliveries', ['GET', 'HEAD'], 'function'],
    ['webhookState', 'api/webhooks/{id}', ['GET', 'HEAD'], 'function'],
    ['deadLetters', 'api/dead-letters', ['GET', 'HEAD'], 'function'],
    ['redrive', 'api/dead-letters/redrive', ['POST'], 'admin'],
    ['replay', 'api/replay', ['POST'], 'admin'],
  ])('binds http function %s to route %s, methods %j, auth level %s', (name, route, methods, authLevel) => {
    const call = byName(name);
    expect(call.kind).toBe('http');
    expect(call.options).toMatchObject({ route, methods, authLevel });
    expect(typeof call.options.handler).toBe('function');
  });

  it('schedules the outbox timer every 5 seconds in NCRONTAB, not on startup', () => {
    expect(byName('outbox')).toMatchObject({
      kind: 'timer',
      options: { schedule: '*/5 * * * * *', runOnStartup: false },
    });
  });

  it('schedules the retention timer hourly, not on startup', () => {
    expect(byName('retention')).toMatchObject({
      kind: 'timer',
      options: { schedule: '0 0 * * * *', runOnStartup: false },
    });
  });

  it('schedules the attempt retention timer hourly, not on startup', () => {
    expect(byName('attemptRetention')).toMatchObject({
      kind: 'timer',
      options: { schedule: '0 30 * * * *', runOnStartup: false },
    });
  });

  it('binds the dead-letter recorder to queue petzi.relay.dlq through the RabbitMQConnection setting', () => {
    expect(byName('deadLetterRecorder')).toMatchObject({
      kind: 'generic',
      options: {
        trigger: {
          type: 'rabbitMQTrigger',
          queueName: 'petzi.relay.dlq',
          connectionStringSetting: 'RabbitMQConnection',
        },
      },
    });
  });

  it('binds the relay to queue petzi.relay through the RabbitMQConnection setting', () => {
    expect(byName('relay')).toMatchObject({
      kind: 'generic',
      options: {
        trigger: { type: 'rabbitMQTrigger', queueName: 'petzi.relay', connectionStringSetting: 'RabbitMQConnection' },
      },
    });
  });

  it('keeps host.json and package.json right for func start', () => {
    const hostJson = readRootJson('host.json') as {
      version: string;
      extensionBundle: { id: string; version: string };
      extensions: { http: { routePrefix: string } };
    };
    expect(hostJson.version).toBe('2.0');
    expect(hostJson.extensionBundle).toEqual({
      id: 'Microsoft.Azure.Functions.ExtensionBundle',
      version: '[4.*, 5.0.0)',
    });
    expect(hostJson.extensions.http.routePrefix).toBe('');
    const pkg = readRootJson('package.json') as { main: string };
    expect(pkg.main).toBe('dist/functions/src/functions/*.js');
  });

  it('lists every setting the functions read in local.settings.example.json', () => {
    const settings = readRootJson('local.settings.example.json') as {
      IsEncrypted: boolean;
      Values: Record<string, string>;
    };
    expect(settings.IsEncrypted).toBe(false);
    for (const key of [
      'FUNCTIONS_WORKER_RUNTIME',
      'AzureWebJobsStorage',
      'PETZI_WEBHOOK_SECRET',
      'SIGNATURE_TOLERANCE_SECONDS',
      'DATABASE_URL',
      'RABBITMQ_URL',
      'RabbitMQConnection',
      'MAX_BODY_BYTES',
    ]) {
      expect(settings.Values[key]).toEqual(expect.any(String));
    }
    expect(settings.Values.FUNCTIONS_WORKER_RUNTIME).toBe('node');
    expect(settings.Values.RabbitMQConnection).toBe(settings.Values.RABBITMQ_URL);
  });
});
