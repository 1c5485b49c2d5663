import { spawnSync } from 'node:child_process';

function docker(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 15_000): { ok: boolean; stdout: string } {
  const result = spawnSync('docker', args, { encoding: 'utf8', env, timeout: timeoutMs, stdio: ['ignore', 'pipe', 'ignore'] });
  return { ok: result.status === 0, stdout: result.stdout ?? '' };
}

/** True when a docker CLI is installed and its engine answers. */
export function dockerEngineAnswers(env: NodeJS.ProcessEnv): boolean {
  return docker(['info', '--format', '{{.ServerVersion}}'], env, 10_000).ok;
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
}

/** Starts a container removed when it stops; returns its stop function. */
export function runContainer({ name, image, ports, env: inner = {} }: ContainerOptions, env: NodeJS.ProcessEnv): () => Promise<void> {
  const args = [
    'run',
    '-d',
    '--rm',
    '--name',
    name,
    ...ports.flatMap(([host, port]) => ['-p', `127.0.0.1:${host}:${port}`]),
    ...Object.entries(inner).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
    image,
  ];
  const started = spawnSync('docker', args, { encoding: 'utf8', env, timeout: 60_000 });
  if (started.status !== 0) throw new Error(`docker run ${image} failed: ${(started.stderr ?? '').trim()}`);
  return async () => {
    docker(['stop', '-t', '10', name], env, 30_000);
    // --rm removes it in the background; return once it is gone.
    for (let tries = 0; tries < 60 && docker(['inspect', '--format', '{{.Id}}', name], env).ok; tries += 1) await new Promise((r) => setTimeout(r, 500));
  };
}
