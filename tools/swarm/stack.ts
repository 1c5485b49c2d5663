import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureAllImages, repoRoot } from '../images/build';
import { dockerEnv, run, runOk, tail } from '../images/docker';
import { freePorts } from '../provision/ports';
import { generateSwarmSecrets, writeSwarmSecrets, type SwarmSecrets } from './secrets';

/**
 * infra/swarm/stack.yml on this machine's engine, for npm run test:swarm and npm run bench:swarm:
 * a single-node swarm (initialised here when the engine has none, and left again at the end), the
 * project's images built by docker-compose exactly as test:containers builds them, fresh secrets,
 * free host ports, and the stand-ins of test/swarm/stack.test.yml. Reached through the published
 * ports on 127.0.0.1 and `docker exec` only.
 */
export const STACK_FILE = 'infra/swarm/stack.yml';
export const STACK_OVERRIDE = 'test/swarm/stack.test.yml';
const COMPOSE_OVERRIDE = 'test/containers/docker-compose.test.yml';

export const SWARM_PORT_VARIABLES = [
  'PETZI_WEBHOOK_PORT',
  'PETZI_BRIDGE_PORT',
  'PETZI_DASHBOARD_PORT',
  'PETZI_PROMETHEUS_PORT',
  'PETZI_CADVISOR_PORT',
] as const;
export type SwarmPortVariable = (typeof SWARM_PORT_VARIABLES)[number];

/** The project's images the stack runs (docker-compose.yml's image: names), by compose service. */
export const PROJECT_IMAGES = { functions: 'functions', 'sse-bridge': 'sse-bridge', dashboard: 'dashboard' } as const;
const IMAGE_REPO = 'petzi';

export interface SwarmStackOptions {
  log?: (line: string) => void;
  /** Seconds to wait for every service to run its replicas and the cluster to form. */
  convergeSeconds?: number;
}

export interface TaskInfo {
  id: string;
  container: string;
}

export interface SwarmStack {
  name: string;
  ports: Record<SwarmPortVariable, number>;
  secrets: SwarmSecrets;
  /** The tag of the project's images in this run. */
  imageTag: string;
  url(variable: SwarmPortVariable): string;
  /** The swarm service name of a stack service ("functions" -> "<stack>_functions"). */
  service(name: string): string;
  image(name: keyof typeof PROJECT_IMAGES, tag?: string): string;
  /** Ids of the running containers of a service. */
  containers(service: string): Promise<string[]>;
  /** docker exec; throws with the output on a non-zero exit. */
  exec(container: string, args: string[]): Promise<string>;
  /** Rows of a query run by psql inside the db container, tab-separated fields. */
  sql(query: string): Promise<string[][]>;
  /** Replicas running per service, against those wanted: ready when every one is at its count. */
  replicas(): Promise<Record<string, { running: number; desired: number }>>;
  /** Resolves once every service runs all its replicas (healthy: swarm counts a task running only then). */
  converged(timeoutMs: number): Promise<void>;
  /**
   * docker stack rm, then what is left of it (containers, networks, volumes, secrets, configs, images): [] when clean.
   */
  down(): Promise<string[]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function docker(args: string[], env: NodeJS.ProcessEnv = dockerEnv()): Promise<string> {
  return runOk('docker', args, { env, cwd: repoRoot() });
}

/** Every `${NAME:?...}` docker-compose.yml requires, so that `build` can interpolate the file. */
function requiredComposeVariables(root: string): string[] {
  const text = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
  return [...new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):\?/g)].map((m) => m[1]))];
}

/** The project's images, built by docker-compose with the containers test's override, tagged `tag`. */
export async function buildProjectImages(tag: string, log: (line: string) => void): Promise<void> {
  const root = repoRoot();
  await ensureAllImages({ progress: (line) => (line.includes(': cached') ? undefined : log(`images: ${line}`)) });
  // Building needs no secret, but compose interpolates the whole file first: placeholders only.
  const placeholders = Object.fromEntries(requiredComposeVariables(root).map((name) => [name, 'build-only']));
  const envDir = mkdtempSync(path.join(tmpdir(), 'petzi-swarm-build-'));
  const envFile = path.join(envDir, '.env');
  writeFileSync(envFile, '');
  try {
    const res = await run(
      'docker-compose',
      [
        '-p',
        `petziswarmbuild${tag}`,
        '-f',
        'docker-compose.yml',
        '-f',
        COMPOSE_OVERRIDE,
        'build',
        ...Object.keys(PROJECT_IMAGES),
      ],
      {
        cwd: root,
        env: {
          ...dockerEnv(),
          ...placeholders,
          PETZI_ENV_FILE: envFile,
          PETZI_IMAGE_REPO: IMAGE_REPO,
          PETZI_IMAGE_TAG: tag,
        },
      },
    );
    if (res.code !== 0) throw new Error(`docker-compose build exited with ${res.code}:\n${tail(res.output, 60)}`);
  } finally {
    rmSync(envDir, { recursive: true, force: true });
  }
}

/** Initialises a single-node swarm when the engine is in none; returns whether it did (and so must leave it). */
export async function ensureSwarm(): Promise<boolean> {
  const state = (await docker(['info', '--format', '{{.Swarm.LocalNodeState}}'])).trim();
  if (state === 'active') return false;
  if (state !== 'inactive') throw new Error(`the engine's swarm is "${state}": expected active or inactive`);
  await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
  return true;
}

export async function deploySwarmStack(options: SwarmStackOptions = {}): Promise<SwarmStack> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[swarm] ${line}\n`));
  const root = repoRoot();
  const name = `petzisw${Date.now().toString(36)}`;
  const imageTag = name;
  const initialised = await ensureSwarm();
  const secretsDir = mkdtempSync(path.join(tmpdir(), 'petzi-swarm-secrets-'));
  const secrets = generateSwarmSecrets();
  writeSwarmSecrets(path.join(secretsDir, 'secrets'), secrets);
  const portList = await freePorts(SWARM_PORT_VARIABLES.length, '0.0.0.0');
  const ports = Object.fromEntries(SWARM_PORT_VARIABLES.map((v, i) => [v, portList[i]])) as Record<
    SwarmPortVariable,
    number
  >;
  const env: NodeJS.ProcessEnv = {
    ...dockerEnv(),
    PETZI_SECRETS_DIR: path.join(secretsDir, 'secrets'),
    PETZI_IMAGE_REPO: IMAGE_REPO,
    PETZI_IMAGE_TAG: imageTag,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  const label = `com.docker.stack.namespace=${name}`;
  const extraImages = new Set<string>();

  const stack: SwarmStack = {
    name,
    ports,
    secrets,
    imageTag,
    url: (variable) => `http://127.0.0.1:${ports[variable]}`,
    service: (svc) => `${name}_${svc}`,
    image: (svc, tag = imageTag) => {
      const image = `${IMAGE_REPO}/${PROJECT_IMAGES[svc]}:${tag}`;
      if (tag !== imageTag) extraImages.add(image);
      return image;
    },
    async containers(svc) {
      const out = await docker([
        'ps',
        '-q',
        '--filter',
        `label=com.docker.swarm.service.name=${name}_${svc}`,
        '--filter',
        'status=running',
      ]);
      return out.split('\n').filter(Boolean);
    },
    exec: (container, args) => docker(['exec', container, ...args]),
    async sql(query) {
      const [db] = await stack.containers('db');
      if (!db) throw new Error('no running db container');
      const out = await docker([
        'exec',
        db,
        'psql',
        '-U',
        'postgres',
        '-d',
        'petzi',
        '-v',
        'ON_ERROR_STOP=1',
        '-At',
        '-F',
        '\t',
        '-c',
        query,
      ]);
      return out
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split('\t'));
    },
    async replicas() {
      const out = await docker(['service', 'ls', '--filter', `label=${label}`, '--format', '{{.Name}} {{.Replicas}}']);
      const found: Record<string, { running: number; desired: number }> = {};
      for (const line of out.split('\n').filter(Boolean)) {
        const [service, counts] = line.split(' ');
        const [running, desired] = counts.split('/').map(Number);
        found[service.slice(name.length + 1)] = { running, desired };
      }
      return found;
    },
    async converged(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let last: Record<string, { running: number; desired: number }> = {};
      for (;;) {
        last = await stack.replicas();
        const lagging = Object.entries(last).filter(([, r]) => r.running !== r.desired);
        if (Object.keys(last).length > 0 && lagging.length === 0) return;
        if (Date.now() > deadline) {
          throw new Error(
            `the stack did not converge in ${timeoutMs / 1000} s: ${lagging.map(([s, r]) => `${s} ${r.running}/${r.desired}`).join(', ')}`,
          );
        }
        await sleep(2_000);
      }
    },
    async down() {
      await run('docker', ['stack', 'rm', name], { env });
      const gone = async (kind: string, args: string[]): Promise<string[]> =>
        (await docker(args))
          .split('\n')
          .filter(Boolean)
          .map((id) => `${kind} ${id}`);
      const deadline = Date.now() + 120_000;
      while ((await gone('container', ['ps', '-aq', '--filter', `label=${label}`])).length > 0 && Date.now() < deadline)
        await sleep(2_000);
      // Networks go a moment after the last container; volumes only when asked.
      while (
        (await gone('network', ['network', 'ls', '-q', '--filter', `label=${label}`])).length > 0 &&
        Date.now() < deadline
      )
        await sleep(1_000);
      for (const volume of (await docker(['volume', 'ls', '-q', '--filter', `label=${label}`]))
        .split('\n')
        .filter(Boolean)) {
        await run('docker', ['volume', 'rm', volume], { env });
      }
      const images = [
        ...Object.keys(PROJECT_IMAGES).map(
          (svc) => `${IMAGE_REPO}/${PROJECT_IMAGES[svc as keyof typeof PROJECT_IMAGES]}:${imageTag}`,
        ),
        ...extraImages,
      ];
      for (const image of images) await run('docker', ['image', 'rm', image], { env });
      rmSync(secretsDir, { recursive: true, force: true });
      const left = [
        ...(await gone('container', ['ps', '-aq', '--filter', `label=${label}`])),
        ...(await gone('network', ['network', 'ls', '-q', '--filter', `label=${label}`])),
        ...(await gone('volume', ['volume', 'ls', '-q', '--filter', `label=${label}`])),
        ...(await gone('secret', ['secret', 'ls', '-q', '--filter', `label=${label}`])),
        ...(await gone('config', ['config', 'ls', '-q', '--filter', `label=${label}`])),
      ];
      for (const image of images)
        if ((await run('docker', ['image', 'inspect', image], { env })).code === 0) left.push(`image ${image}`);
      if (initialised) await run('docker', ['swarm', 'leave', '--force'], { env });
      return left;
    },
  };

  try {
    const started = Date.now();
    log(`building the project's images (tag ${imageTag})…`);
    await buildProjectImages(imageTag, log);
    log(`images: ${((Date.now() - started) / 1000).toFixed(1)} s; deploying stack ${name}…`);
    const deployed = Date.now();
    const res = await run(
      'docker',
      ['stack', 'deploy', '--resolve-image', 'never', '-c', STACK_FILE, '-c', STACK_OVERRIDE, name],
      { cwd: root, env },
    );
    if (res.code !== 0) throw new Error(`docker stack deploy exited with ${res.code}:\n${tail(res.output, 40)}`);
    await stack.converged((options.convergeSeconds ?? 300) * 1000);
    log(`converged in ${((Date.now() - deployed) / 1000).toFixed(1)} s`);
  } catch (error) {
    const logs = await serviceLogs(stack);
    await stack.down().catch(() => undefined);
    throw new Error(`${(error as Error).message}\n--- service logs ---\n${logs}`);
  }
  return stack;
}

/** The last lines of the newest container of every service, for a failure message. */
export async function serviceLogs(stack: SwarmStack, lines = 15): Promise<string> {
  const services = Object.keys(await stack.replicas().catch(() => ({})));
  const parts: string[] = [];
  for (const svc of services) {
    const ids = await run(
      'docker',
      ['ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${stack.service(svc)}`],
      { env: dockerEnv() },
    );
    const [newest] = ids.output.split('\n').filter(Boolean);
    if (!newest) continue;
    const res = await run('docker', ['logs', '--tail', String(lines), newest], { env: dockerEnv() });
    parts.push(`[${svc}]\n${tail(res.output, lines)}`);
  }
  return parts.join('\n');
}

/** Polls `check` every `everyMs` until it gives a value, or throws naming `what` after `timeoutMs`. */
export async function poll<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  everyMs = 2_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Resolves once the gateway answers /api/health with 200 (a functions replica behind it reaches Postgres). */
export async function gatewayServing(stack: SwarmStack, timeoutMs: number): Promise<void> {
  await poll('the gateway to answer /api/health', timeoutMs, async () => {
    const res = await fetch(`${stack.url('PETZI_WEBHOOK_PORT')}/api/health`, {
      headers: { 'x-functions-key': stack.secrets.petzi_api_key },
    }).catch(() => undefined);
    await res?.body?.cancel();
    return res?.status === 200 ? true : undefined;
  });
}
