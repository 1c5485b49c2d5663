import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { declaredFunctions, readEnv } from '../../functions/src';
import { selectFunctions } from '../../host/src/functionSelection';
import { SWARM_SECRET_NAMES } from '../swarm/secrets';

/**
 * infra/swarm/stack.yml read as data: what the running test (npm run test:swarm) cannot see for the production image.
 */
const ROOT = path.resolve(__dirname, '..', '..');

interface Service {
  image?: string;
  environment?: Record<string, string>;
  secrets?: string[];
  healthcheck?: unknown;
  volumes?: string[];
  deploy?: {
    replicas?: number;
    mode?: string;
    endpoint_mode?: string;
    update_config?: { order?: string; failure_action?: string };
  };
}

const stack = parse(readFileSync(path.join(ROOT, 'infra/swarm/stack.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  secrets: Record<string, unknown>;
};
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};

describe('infra/swarm/stack.yml', () => {
  it.each(['functions', 'relay'])(
    '%s: the local host (PETZI_FUNCTIONS) and the Azure Functions host (AzureWebJobs.<name>.Disabled) run the same functions',
    (name) => {
      const env = stack.services[name].environment ?? {};
      const declared = declaredFunctions();
      const byLocalHost = selectFunctions(declared, (env.PETZI_FUNCTIONS ?? '').split(',')).map((f) => f.name);
      const byAzureHost = declared.filter((f) => env[`AzureWebJobs.${f.name}.Disabled`] !== 'true').map((f) => f.name);
      expect(byAzureHost).toEqual(byLocalHost);
      const disabledUnknown = Object.keys(env).flatMap((key) => {
        const m = /^AzureWebJobs\.(.+)\.Disabled$/.exec(key);
        return m && !declared.some((f) => f.name === m[1]) ? [m[1]] : [];
      });
      expect(disabledUnknown).toEqual([]);
    },
  );

  it('splits the functions: HTTP in one service, the relay, the timers and the dead-letter recorder in the other, every function in one of them', () => {
    const served = (name: string) =>
      selectFunctions(declaredFunctions(), (stack.services[name].environment?.PETZI_FUNCTIONS ?? '').split(','));
    expect(served('functions').every((f) => f.kind === 'http')).toBe(true);
    expect(
      served('relay')
        .filter((f) => f.kind === 'http')
        .map((f) => f.name),
    ).toEqual(['metrics', 'liveness']);
    const all = new Set([...served('functions'), ...served('relay')].map((f) => f.name));
    expect([...all].sort()).toEqual(
      declaredFunctions()
        .map((f) => f.name)
        .sort(),
    );
  });

  it('runs functions x3, relay x2 and bridges x2, health-gated, updated start-first with rollback', () => {
    for (const [name, replicas] of [
      ['functions', 3],
      ['relay', 2],
      ['sse-bridge', 2],
    ] as const) {
      const service = stack.services[name];
      expect({
        name,
        replicas: service.deploy?.replicas,
        order: service.deploy?.update_config?.order,
        onFailure: service.deploy?.update_config?.failure_action,
        healthcheck: service.healthcheck !== undefined,
      }).toEqual({
        name,
        replicas,
        order: 'start-first',
        onFailure: 'rollback',
        healthcheck: true,
      });
    }
  });

  it('runs the project images under the names compose builds them', () => {
    for (const name of ['functions', 'relay', 'sse-bridge', 'dashboard-auth', 'dashboard']) {
      const composeName = name === 'relay' ? 'functions' : name;
      expect({ name, image: stack.services[name].image }).toEqual({ name, image: compose.services[composeName].image });
    }
  });

  it('has three RabbitMQ nodes, each with a volume of its own, on quorum queues', () => {
    const nodes = Object.keys(stack.services).filter((name) => /^rabbitmq-\d$/.test(name));
    expect(nodes).toEqual(['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3']);
    const volumes = nodes.map((name) => (stack.services[name].volumes ?? [])[0]?.split(':')[0]);
    expect(new Set(volumes).size).toBe(3);
    for (const name of ['functions', 'relay'])
      expect(stack.services[name].environment?.PETZI_RELAY_QUEUE_TYPE).toBe('quorum');
  });

  it('takes every secret from a swarm secret the service mounts, never from an environment value', () => {
    expect(Object.keys(stack.secrets).sort()).toEqual([...SWARM_SECRET_NAMES].sort());
    for (const [name, service] of Object.entries(stack.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!key.endsWith('_FILE')) continue;
        const m = /^\/run\/secrets\/([a-z_]+)$/.exec(String(value));
        expect({ service: name, key, mounted: m !== null && (service.secrets ?? []).includes(m[1]) }).toEqual({
          service: name,
          key,
          mounted: true,
        });
      }
      for (const secretName of [...readEnv.SECRET_FILE_VARIABLES, 'POSTGRES_PASSWORD']) {
        expect({ service: name, plain: service.environment?.[secretName] }).toEqual({
          service: name,
          plain: undefined,
        });
      }
    }
  });
});
