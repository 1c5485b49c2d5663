import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parseDockerfile, type Stage } from './dockerfile';

/** Reads the repository's container files for the static checks. */
export const ROOT = path.resolve(__dirname, '..', '..');

export function repoPath(relative: string): string {
  return path.join(ROOT, relative);
}

export function readRepoFile(relative: string): string {
  return readFileSync(repoPath(relative), 'utf8');
}

export function repoFileExists(relative: string): boolean {
  return existsSync(repoPath(relative));
}

export interface HealthCheck {
  test: string[] | string;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string; args?: Record<string, string> };
  profiles?: string[];
  command?: string[] | string;
  ports?: string[];
  environment?: Record<string, string>;
  env_file?: string | string[];
  labels?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: HealthCheck;
  volumes?: string[];
  devices?: string[];
  privileged?: boolean;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function loadCompose(): ComposeFile {
  return parse(readRepoFile('docker-compose.yml')) as ComposeFile;
}

export function service(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

export interface PortMapping {
  /** The host address it binds ("127.0.0.1"), or undefined: every interface. */
  hostIp?: string;
  published: number;
  target: number;
}

function range(text: string): number[] {
  const [from, to = from] = text.split('-').map(Number);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** `${NAME:-default}` in a compose value, with its default (what compose uses when NAME is unset). */
function withDefaults(text: string): string {
  return text.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}/g, '$1');
}

/**
 * "5000:80", "${PETZI_WEBHOOK_PORT:-5000}:5000" and "10000-10002:10000-10002" as published/target pairs (defaults
 * applied).
 */
export function portMappings(svc: ComposeService): PortMapping[] {
  return (svc.ports ?? []).flatMap((spec) => {
    const parts = withDefaults(String(spec)).split(':');
    const hostIp = parts.length === 3 ? parts[0] : undefined;
    const [published, target] = parts.slice(-2);
    const outside = range(published);
    const inside = range(target);
    if (outside.length !== inside.length) throw new Error(`port range sizes differ in "${spec}"`);
    return outside.map((port, i) => ({
      ...(hostIp === undefined ? {} : { hostIp }),
      published: port,
      target: inside[i],
    }));
  });
}

function containerPorts(svc: ComposeService): number[] {
  return portMappings(svc).map((m) => m.target);
}

const NGINX_SITE = '/etc/nginx/conf.d/default.conf';

/** The nginx site config a service runs: mounted over, or copied into, conf.d/default.conf. */
export function nginxConfigOf(svc: ComposeService): string | undefined {
  const mounted = (svc.volumes ?? []).find((v) => v.split(':')[1] === NGINX_SITE);
  if (mounted) return readRepoFile(mounted.split(':')[0]);
  if (!svc.build) return undefined;
  const copied = finalStage(dockerfileOf(svc))
    .instructions.filter((i) => i.keyword === 'COPY')
    .map((i) => i.args.split(/\s+/))
    .find((parts) => parts[parts.length - 1] === NGINX_SITE);
  return copied ? readRepoFile(copied[0]) : undefined;
}

/**
 * Every port a service's container listens on: the published ones, the image's EXPOSE (replicas
 * reached only over the compose network), and an nginx site's listen directives (including the
 * listen-<port>.conf snippets start.sh writes, and loopback-only health ports).
 */
export function listeningPorts(svc: ComposeService): number[] {
  const ports = new Set(containerPorts(svc));
  // The node servers listen on PORT (the bridge, the dashboard's login server).
  if (svc.environment?.PORT !== undefined) ports.add(Number(svc.environment.PORT));
  if (svc.build) {
    for (const expose of finalStage(dockerfileOf(svc)).instructions.filter((i) => i.keyword === 'EXPOSE')) {
      for (const port of expose.args.split(/\s+/)) ports.add(Number(port.split('/')[0]));
    }
  }
  const nginx = nginxConfigOf(svc);
  if (nginx) {
    for (const m of nginx.matchAll(/^\s*listen\s+(?:[\d.]+:)?(\d+)[^;]*;/gm)) ports.add(Number(m[1]));
    for (const m of nginx.matchAll(/^\s*include\s+\S*\/listen-(\d+)\.conf;/gm)) ports.add(Number(m[1]));
  }
  return [...ports].sort((a, b) => a - b);
}

export function dockerfileOf(svc: ComposeService): Stage[] {
  if (!svc.build) throw new Error('service is not built from a Dockerfile');
  return parseDockerfile(readRepoFile(path.join(svc.build.context, svc.build.dockerfile)));
}

export function finalStage(stages: Stage[]): Stage {
  const last = stages[stages.length - 1];
  if (!last) throw new Error('Dockerfile has no FROM');
  return last;
}

export function stageNamed(stages: Stage[], name: string): Stage {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`Dockerfile has no stage "${name}"`);
  return found;
}

/** Lines of a .env file as name → value, including commented-out `# NAME=value` aliases. */
export function envFileNames(text: string): { set: Map<string, string>; commented: Set<string> } {
  const set = new Map<string, string>();
  const commented = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const active = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (active) {
      set.set(active[1], active[2]);
      continue;
    }
    const alias = /^#\s*([A-Za-z_][A-Za-z0-9_]*)=/.exec(line);
    if (alias) commented.add(alias[1]);
  }
  return { set, commented };
}

/**
 * Whether .dockerignore keeps a repository path out of the build context. Handles the pattern
 * forms the file uses: plain paths, `**\/name`, `name.*`-style globs, and `!` re-includes.
 */
export function dockerIgnored(relative: string, ignoreText: string): boolean {
  const segments = relative.split('/');
  const prefixes = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of ignoreText.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = negate ? line.slice(1) : line;
    const anyDepth = pattern.startsWith('**/');
    const body = anyDepth ? pattern.slice(3) : pattern;
    const regex = new RegExp(
      `^${body
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*')}$`,
    );
    // A pattern matching a directory excludes everything below it.
    const candidates = anyDepth
      ? segments.flatMap((_, i) => segments.slice(i).map((__, j) => segments.slice(i, i + j + 1).join('/')))
      : prefixes;
    if (candidates.some((c) => regex.test(c))) ignored = !negate;
  }
  return ignored;
}
