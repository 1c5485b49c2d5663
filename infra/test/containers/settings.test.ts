import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../../functions/src/config';
import { RABBITMQ_CONNECTION_SETTING } from '../../../functions/src/runtime/declaration';
import { envFileNames, loadCompose, readRepoFile, ROOT, service } from './repo';

/** .env.example against what the code reads, and `docker-compose config` on the example env. */
const example = envFileNames(readRepoFile('.env.example'));

/** Every variable name loadConfig looks at, recorded by reading through a Proxy. */
function namesLoadConfigReads(): string[] {
  const read = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get(_target, key) {
      if (typeof key === 'string') read.add(key);
      return undefined;
    },
  });
  loadConfig(env);
  return [...read];
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return path.join(dir, name);
    } catch {
      // keep looking
    }
  }
  return null;
}

describe('.env.example', () => {
  it('sets every variable the functions host and the code need in the containers', () => {
    const required = [
      'PETZI_WEBHOOK_SECRET',
      'SIGNATURE_TOLERANCE_SECONDS',
      'DATABASE_URL',
      'RABBITMQ_URL',
      RABBITMQ_CONNECTION_SETTING,
      'MAX_BODY_BYTES',
      'AzureWebJobsStorage',
      'FUNCTIONS_WORKER_RUNTIME',
    ];
    for (const name of required) expect({ name, set: example.set.has(name) }).toEqual({ name, set: true });
  });

  it('mentions every name loadConfig reads, the seed aliases at least as comments', () => {
    const names = namesLoadConfigReads();
    expect(names).toEqual(expect.arrayContaining(['SECRET_KEY', 'DATABASE_URI']));
    for (const name of names) {
      expect({ name, mentioned: example.set.has(name) || example.commented.has(name) }).toEqual({ name, mentioned: true });
    }
  });

  it('is a configuration the code accepts, pointing at the compose services', () => {
    const config = loadConfig(Object.fromEntries(example.set));
    expect(new URL(config.databaseUrl).hostname).toBe('db');
    expect(new URL(config.databaseUrl).pathname).toBe(`/${service(loadCompose(), 'db').environment?.POSTGRES_DB}`);
    expect(new URL(config.rabbitmqUrl).hostname).toBe('rabbitmq');
    expect(example.set.get(RABBITMQ_CONNECTION_SETTING)).toBe(example.set.get('RABBITMQ_URL'));
    expect(example.set.get('FUNCTIONS_WORKER_RUNTIME')).toBe('node');
    const storage = example.set.get('AzureWebJobsStorage') ?? '';
    for (const [kind, port] of [['Blob', 10000], ['Queue', 10001], ['Table', 10002]] as const) {
      expect(storage).toContain(`${kind}Endpoint=http://azurite:${port}/devstoreaccount1`);
    }
  });

  it('is what the functions and the bridge receive (env_file)', () => {
    const compose = loadCompose();
    for (const name of ['functions', 'sse-bridge']) expect(service(compose, name).env_file).toBe('${PETZI_ENV_FILE:-.env}');
  });
});

describe('docker-compose config', () => {
  it('validates docker-compose.yml with the example env (docker-compose must be installed; CI installs it)', () => {
    const binary = onPath('docker-compose');
    if (!binary) {
      throw new Error(
        `docker-compose is not on PATH${process.env.CI ? ' in CI' : ''}: install it (Debian: apt-get install docker-compose) to validate docker-compose.yml`,
      );
    }
    const result = spawnSync(binary, ['-f', 'docker-compose.yml', '--env-file', '.env.example', 'config'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PETZI_ENV_FILE: '.env.example' },
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.any(String) });

    // The resolved file really carries the example settings into the functions container.
    const resolved = parse(result.stdout) as { services: Record<string, { environment?: Record<string, string> }> };
    expect(Object.keys(resolved.services).sort()).toEqual(Object.keys(loadCompose().services).sort());
    const environment = resolved.services.functions.environment ?? {};
    for (const [name, value] of example.set) expect({ name, value: environment[name] }).toEqual({ name, value });
  });
});
