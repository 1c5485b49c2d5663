import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig, RABBITMQ_CONNECTION_SETTING } from '../../functions/src';
import { onPath } from '../../tools/provision/install';
import { envFileNames, loadCompose, readRepoFile, ROOT, service } from './repo';
import { REQUIRED_SECRETS, testEnvText, testSecrets, writeTestEnvFile } from './testEnv';

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

/** docker-compose.yml resolved by docker-compose itself with an env file (also its --env-file), or its error. */
function composeConfig(envFile: string): { status: number | null; stdout: string; stderr: string } {
  if (!onPath('docker-compose', process.env)) {
    throw new Error(
      `docker-compose is not on PATH${process.env.CI ? ' in CI' : ''}: install it (Debian: apt-get install docker-compose) to validate docker-compose.yml`,
    );
  }
  return spawnSync('docker-compose', ['--env-file', envFile, '-f', 'docker-compose.yml', 'config'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PETZI_ENV_FILE: envFile },
  });
}

type Resolved = { services: Record<string, { environment?: Record<string, string> }> };

const dir = mkdtempSync(path.join(tmpdir(), 'petzi-settings-'));
const secrets = testSecrets();
const filledEnv = writeTestEnvFile(path.join(dir, 'filled.env'), secrets);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('.env.example', () => {
  /** What the functions container gets: the env file, then compose's environment over it. */
  const composeEnvironment = service(loadCompose(), 'functions').environment ?? {};

  it('sets every variable the functions host and the code need in the containers (or docker-compose.yml does, from it)', () => {
    const required = [
      'PETZI_WEBHOOK_SECRET',
      'PETZI_API_KEY',
      'PETZI_ADMIN_KEY',
      'SIGNATURE_TOLERANCE_SECONDS',
      'DATABASE_URL',
      'RABBITMQ_URL',
      RABBITMQ_CONNECTION_SETTING,
      'MAX_BODY_BYTES',
      'AzureWebJobsStorage',
      'FUNCTIONS_WORKER_RUNTIME',
    ];
    for (const name of required)
      expect({ name, set: example.set.has(name) || name in composeEnvironment }).toEqual({ name, set: true });
  });

  it('ships no usable secret: every one docker-compose.yml requires is empty', () => {
    for (const name of REQUIRED_SECRETS) expect({ name, value: example.set.get(name) }).toEqual({ name, value: '' });
  });

  it('mentions every name loadConfig reads, the seed aliases at least as comments', () => {
    const names = namesLoadConfigReads();
    expect(names).toEqual(expect.arrayContaining(['SECRET_KEY', 'DATABASE_URI']));
    for (const name of names) {
      expect({
        name,
        mentioned: example.set.has(name) || example.commented.has(name) || name in composeEnvironment,
      }).toEqual({ name, mentioned: true });
    }
  });

  it('once filled in, is a configuration the code accepts, pointing at the compose services', () => {
    const resolved = parse(composeConfig(filledEnv).stdout) as Resolved;
    const config = loadConfig(resolved.services.functions.environment ?? {});
    expect(new URL(config.databaseUrl).hostname).toBe('db');
    expect(new URL(config.databaseUrl).pathname).toBe(`/${service(loadCompose(), 'db').environment?.POSTGRES_DB}`);
    const rabbitmq = new URL(config.rabbitmqUrl);
    expect({ host: rabbitmq.hostname, user: rabbitmq.username, password: rabbitmq.password }).toEqual({
      host: 'rabbitmq',
      user: secrets.RABBITMQ_USER,
      password: secrets.RABBITMQ_PASSWORD,
    });
    expect(resolved.services.functions.environment?.[RABBITMQ_CONNECTION_SETTING]).toBe(config.rabbitmqUrl);
    expect(example.set.get('FUNCTIONS_WORKER_RUNTIME')).toBe('node');
    const storage = example.set.get('AzureWebJobsStorage') ?? '';
    for (const [kind, port] of [
      ['Blob', 10000],
      ['Queue', 10001],
      ['Table', 10002],
    ] as const) {
      expect(storage).toContain(`${kind}Endpoint=http://azurite:${port}/devstoreaccount1`);
    }
  });

  it('is what the functions and the bridge receive (env_file)', () => {
    const compose = loadCompose();
    for (const name of ['functions', 'sse-bridge'])
      expect(service(compose, name).env_file).toBe('${PETZI_ENV_FILE:-.env}');
  });
});

describe('docker-compose config', () => {
  it('stops on the example env as it ships, naming a secret to set in .env', () => {
    const result = composeConfig(path.join(ROOT, '.env.example'));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(
      /set (PETZI_WEBHOOK_SECRET|PETZI_API_KEY|PETZI_ADMIN_KEY|DASHBOARD_PASSWORD|RABBITMQ_USER|RABBITMQ_PASSWORD) in \.env/,
    );
  });

  it.each(REQUIRED_SECRETS)('stops while %s is empty, naming it', (name) => {
    const env = writeTestEnvFile(path.join(dir, `without-${name}.env`), { ...secrets, [name]: '' });
    const result = composeConfig(env);
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 1,
      stderr: expect.stringContaining(`set ${name} in .env`),
    });
  });

  it('validates docker-compose.yml with the example env filled in (docker-compose must be installed; CI installs it)', () => {
    const result = composeConfig(filledEnv);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.any(String) });

    // The resolved file really carries the example settings into the functions container.
    const resolved = parse(result.stdout) as Resolved;
    expect(Object.keys(resolved.services).sort()).toEqual(Object.keys(loadCompose().services).sort());
    const environment = resolved.services.functions.environment ?? {};
    const filled = envFileNames(testEnvText(secrets)).set;
    for (const [name, value] of filled) expect({ name, value: environment[name] }).toEqual({ name, value });
    expect(resolved.services['dashboard-auth'].environment?.DASHBOARD_PASSWORD).toBe(secrets.DASHBOARD_PASSWORD);
    expect(resolved.services.dashboard.environment?.PETZI_API_KEY).toBe(secrets.PETZI_API_KEY);
  });
});
