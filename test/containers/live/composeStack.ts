import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dockerEnv, run, runOk, tail } from '../../../tools/images/docker';
import { repoRoot } from '../../../tools/images/build';
import { freePort } from '../../../tools/provision/ports';
import { testSecrets, writeTestEnvFile, type TestSecrets } from '../testEnv';

/** docker-compose.yml plus the test override, under a project name of its own, on free host ports. */
const OVERRIDE = 'test/containers/docker-compose.test.yml';

/** Every published port docker-compose.yml lets a variable move (the design's port is the default). */
const PORT_VARIABLES = [
  'PETZI_DB_PORT',
  'PETZI_AMQP_PORT',
  'PETZI_RABBITMQ_UI_PORT',
  'PETZI_AZURITE_BLOB_PORT',
  'PETZI_AZURITE_QUEUE_PORT',
  'PETZI_AZURITE_TABLE_PORT',
  'PETZI_WEBHOOK_PORT',
  'PETZI_BRIDGE_PORT',
  'PETZI_DASHBOARD_PORT',
  'PETZI_PROMETHEUS_PORT',
  'PETZI_CADVISOR_PORT',
] as const;
export type PortVariable = (typeof PORT_VARIABLES)[number];

export interface ComposeStackOptions {
  /** Replicas per service (docker-compose --scale). */
  scale?: Record<string, number>;
  /** Extra variables for compose (PETZI_TLS_DIR ...). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface ComposeStack {
  project: string;
  ports: Record<PortVariable, number>;
  /** The secrets of this stack's env file (.env.example filled in with fresh values). */
  secrets: TestSecrets;
  url(variable: PortVariable, scheme?: 'http' | 'https'): string;
  /** Runs docker-compose with this stack's files, project and env; throws with the output's tail on failure. */
  compose(args: string[], extraEnv?: Record<string, string>): Promise<string>;
  /** Container ids of one service. */
  containers(service: string): Promise<string[]>;
  /** docker-compose down -v, then what is left of the project (containers, networks, volumes): [] when clean. */
  down(): Promise<string[]>;
}

async function freePorts(): Promise<Record<PortVariable, number>> {
  const ports = {} as Record<PortVariable, number>;
  const taken = new Set<number>();
  for (const name of PORT_VARIABLES) {
    // Some are published on every interface: free there, not only on loopback (the engine binds them a moment later; a
    // collision fails `up` loudly).
    let port = await freePort('0.0.0.0');
    while (taken.has(port)) port = await freePort('0.0.0.0');
    taken.add(port);
    ports[name] = port;
  }
  return ports;
}

/**
 * The images docker-compose.yml names for what it builds (image: ${PETZI_IMAGE_REPO:-petzi}/<name>:${PETZI_IMAGE_TAG}).
 */
export function projectImages(tag: string, repo = 'petzi'): string[] {
  return ['functions', 'sse-bridge', 'dashboard'].map((name) => `${repo}/${name}:${tag}`);
}

/** What docker still holds for a compose project. */
async function leftovers(project: string): Promise<string[]> {
  const label = `label=com.docker.compose.project=${project}`;
  const found: string[] = [];
  for (const [kind, args] of [
    ['container', ['ps', '-a', '-q', '--filter', label]],
    ['network', ['network', 'ls', '-q', '--filter', label]],
    ['volume', ['volume', 'ls', '-q', '--filter', label]],
  ] as const) {
    const out = await runOk('docker', [...args], { env: dockerEnv() });
    for (const id of out.split('\n').filter(Boolean)) found.push(`${kind} ${id}`);
  }
  for (const image of projectImages(project)) {
    if ((await run('docker', ['image', 'inspect', image], { env: dockerEnv() })).code === 0)
      found.push(`image ${image}`);
  }
  return found;
}

/**
 * Builds the project's images and starts the stack; resolves once every container is up (healthchecks gate the order).
 */
export async function startComposeStack(options: ComposeStackOptions = {}): Promise<ComposeStack> {
  const root = repoRoot();
  const log = options.log ?? ((line: string) => process.stderr.write(`[containers] ${line}\n`));
  const project = `petzict${process.pid}${Date.now().toString(36)}`;
  const ports = await freePorts();
  // The stack's own .env: env_file for the containers and --env-file for compose's ${VAR:?} checks.
  const envDir = mkdtempSync(path.join(tmpdir(), 'petzi-compose-env-'));
  const secrets = testSecrets();
  const envFile = writeTestEnvFile(path.join(envDir, '.env'), secrets);
  const files = ['--env-file', envFile, '-p', project, '-f', 'docker-compose.yml', '-f', OVERRIDE];
  const baseEnv: NodeJS.ProcessEnv = {
    ...dockerEnv(),
    PETZI_ENV_FILE: envFile,
    // The project's images are tagged for this run only, and removed with it.
    PETZI_IMAGE_TAG: project,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    ...options.env,
  };
  const compose = async (args: string[], extraEnv: Record<string, string> = {}): Promise<string> => {
    const res = await run('docker-compose', [...files, ...args], {
      cwd: root,
      env: { ...baseEnv, ...extraEnv },
    });
    if (res.code !== 0)
      throw new Error(`docker-compose ${args.join(' ')} exited with ${res.code}:\n${tail(res.output, 60)}`);
    return res.output;
  };
  const stack: ComposeStack = {
    project,
    ports,
    secrets,
    url: (variable, scheme = 'http') => `${scheme}://127.0.0.1:${ports[variable]}`,
    compose,
    async containers(service) {
      return (await compose(['ps', '-q', service]))
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean);
    },
    async down() {
      // --rmi local: the images compose built for this project name; the local/* stand-ins stay cached.
      try {
        await compose(['--profile', 'cadvisor', 'down', '-v', '--remove-orphans', '--rmi', 'local', '--timeout', '20']);
        // --rmi local leaves images with a name (image:): the project's, tagged with this run's name.
        for (const image of projectImages(project)) await run('docker', ['image', 'rm', image], { env: dockerEnv() });
      } finally {
        rmSync(envDir, { recursive: true, force: true });
      }
      return leftovers(project);
    },
  };
  const timed = async (what: string, step: () => Promise<unknown>): Promise<number> => {
    const started = Date.now();
    log(`${what}…`);
    await step();
    const seconds = (Date.now() - started) / 1000;
    log(`${what}: ${seconds.toFixed(1)} s`);
    return seconds;
  };
  try {
    await timed(`build (project ${project})`, () => compose(['build']));
    const scale = Object.entries(options.scale ?? {}).flatMap(([service, n]) => ['--scale', `${service}=${n}`]);
    // up -d returns once every dependency condition held, i.e. after the healthchecks passed.
    await timed('up', () => compose(['up', '-d', '--no-build', ...scale]));
  } catch (error) {
    const logs = await run('docker-compose', [...files, 'logs', '--no-color', '--tail', '30'], {
      cwd: root,
      env: baseEnv,
    });
    await stack.down().catch(() => undefined);
    throw new Error(`${(error as Error).message}\n--- container logs ---\n${tail(logs.output, 120)}`);
  }
  return stack;
}
