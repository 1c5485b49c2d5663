import { spawnSync } from 'node:child_process';

function docker(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 15_000): { ok: boolean; stdout: string } {
  const result = spawnSync('docker', args, {
    encoding: 'utf8',
    env,
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return { ok: result.status === 0, stdout: result.stdout ?? '' };
}

/** What `docker info` says: the engine's version, or why there is none to use. */
export type DockerEngine = { version: string } | { missing: 'cli' | 'engine'; detail: string };

/** The one Docker engine check, for npm start (a quiet yes/no) and the image builder (with hints). */
export function dockerEngine(env: NodeJS.ProcessEnv, timeoutMs = 10_000): DockerEngine {
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
    env,
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const failed = result.error as NodeJS.ErrnoException | undefined;
  if (failed?.code === 'ENOENT') return { missing: 'cli', detail: failed.message };
  const version = (result.stdout ?? '').trim();
  if (result.status === 0 && version !== '') return { version };
  const said = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-3).join('\n');
  return { missing: 'engine', detail: failed ? failed.message : said };
}

/** True when a docker CLI is installed and its engine answers. */
export function dockerEngineAnswers(env: NodeJS.ProcessEnv): boolean {
  return 'version' in dockerEngine(env);
}

/** The engine's version; fails with what to do when no Docker engine answers. */
export function requireDockerEngine(env: NodeJS.ProcessEnv, timeoutMs?: number): string {
  const engine = dockerEngine(env, timeoutMs);
  if ('version' in engine) return engine.version;
  if (engine.missing === 'cli')
    throw new Error(
      `the docker CLI is missing: ${engine.detail}. Install it: apt-get install docker.io docker-compose`,
    );
  throw new Error(
    `no Docker engine answers (docker info: ${engine.detail}).\n` +
      'Start one: as root, `dockerd >/var/log/dockerd.log 2>&1 &` (or `systemctl start docker`), then retry.',
  );
}

/**
 * A local image whose repository is `name` (any registry prefix, e.g. local/rabbitmq), the
 * first one whose tag contains `preferTag` if any; null when there is none. Never pulls: no
 * registry may be reachable, and pulling is the user's decision.
 */
export function localImage(name: string, preferTag: string, env: NodeJS.ProcessEnv): string | null {
  const listed = docker(['images', '--format', '{{.Repository}}:{{.Tag}}'], env);
  if (!listed.ok) return null;
  const images = listed.stdout
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith(':<none>'))
    .filter((line) => line.slice(0, line.lastIndexOf(':')).split('/').pop() === name);
  return images.find((image) => image.slice(image.lastIndexOf(':') + 1).includes(preferTag)) ?? images[0] ?? null;
}

export interface ContainerOptions {
  name: string;
  image: string;
  /** host port (bound on 127.0.0.1 only) -> container port */
  ports: Array<[number, number]>;
  env?: Record<string, string>;
  /**
   * Passed like env, but through the docker CLI's own environment: never on a command line, which every local user can
   * read.
   */
  secretEnv?: Record<string, string>;
}

/** `docker run`'s arguments: a container removed when it stops, its ports on loopback only. */
export function containerRunArgs({ name, image, ports, env = {}, secretEnv = {} }: ContainerOptions): string[] {
  return [
    'run',
    '-d',
    '--rm',
    '--name',
    name,
    ...ports.flatMap(([host, port]) => ['-p', `127.0.0.1:${host}:${port}`]),
    ...Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
    ...Object.keys(secretEnv).flatMap((key) => ['-e', key]),
    image,
  ];
}

/** Starts a container removed when it stops; returns its stop function. */
export function runContainer(options: ContainerOptions, env: NodeJS.ProcessEnv): () => Promise<void> {
  const { name, image } = options;
  const started = spawnSync('docker', containerRunArgs(options), {
    encoding: 'utf8',
    env: { ...env, ...options.secretEnv },
    timeout: 60_000,
  });
  if (started.status !== 0) throw new Error(`docker run ${image} failed: ${(started.stderr ?? '').trim()}`);
  return async () => {
    docker(['stop', '-t', '10', name], env, 30_000);
    // --rm removes it in the background; return once it is gone.
    for (let tries = 0; tries < 60 && docker(['inspect', '--format', '{{.Id}}', name], env).ok; tries += 1)
      await new Promise((r) => setTimeout(r, 500));
  };
}
