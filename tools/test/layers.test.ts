import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The import rules of docs/architecture.md, checked on every .ts file of the tree:
 * - the two packages, functions/ and kit/, are imported from outside only through their entries
 *   (functions/src/index.ts, kit/src/index.ts);
 * - functions/src is what the Functions worker runs: it imports nothing outside functions/src (the
 *   kit included), and every file in it is loaded by a function file (the worker's `main`);
 * - kit/src imports only itself and the functions entry (the environment reader and the errors);
 * - inside functions/src, imports run only downward: functions -> runtime (the composition root)
 *   -> features -> adapters and contracts -> core, and no feature imports another.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const SCANNED = ['functions', 'kit', 'host', 'bridge', 'dashboard', 'simulator', 'tools', 'test'];
const SKIP = new Set(['node_modules', 'dist']);

const FEATURES = new Set(['ingest', 'outbox', 'relay', 'read-api', 'operate']);
const RANK: Record<string, number> = {
  functions: 4,
  // deps.ts wires the features into one Deps: it sits above them, below the function files.
  runtime: 3,
  ...Object.fromEntries([...FEATURES].map((f) => [f, 2])),
  protocol: 1,
  broker: 1,
  storage: 1,
  metrics: 1,
  // The functions' side of HTTP: access keys and auth levels, query parameters, JSON replies.
  http: 1,
  core: 0,
};
const ENTRY = 'functions/src/index';
const KIT_ENTRY = 'kit/src/index';
/** Each package's entry (repo-relative, without extension). */
const ENTRIES: Record<string, string> = { functions: ENTRY, kit: KIT_ENTRY };

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name)) tsFiles(rel, out);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Repo-relative targets (without extension) of the relative specifiers of one file. */
function relativeImports(file: string, source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((spec) => spec.startsWith('./') || spec.startsWith('../'))
    .map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.(ts|js)$/, ''))
    .map((target) => (target === 'functions/src' ? ENTRY : target === 'kit/src' ? KIT_ENTRY : target));
}

/** The package (functions, kit) a repo-relative path belongs to, or undefined. */
function packageOf(p: string): string | undefined {
  const top = p.split('/')[0];
  return ENTRIES[top] === undefined ? undefined : top;
}

/** Why importing `target` from `file` breaks a rule, or undefined. */
export function violation(file: string, target: string): string | undefined {
  const from = packageOf(file);
  const to = packageOf(target);
  if (to !== undefined && to !== from && target !== ENTRIES[to]) {
    // The function files register with Azure when loaded, so the entry cannot re-export them.
    if (file.startsWith('test/') && /^functions\/src\/functions\/[^/]+$/.test(target)) return undefined;
    // Browser code takes the live-event type only; the entry would pull Node code into vue-tsc.
    if (file.startsWith('dashboard/src/') && target.startsWith('functions/src/protocol/')) return undefined;
    return `deep import of ${target}: import from ${to}/src instead`;
  }
  if (file.startsWith('kit/src/')) {
    if (target === KIT_ENTRY && file !== `${KIT_ENTRY}.ts`) return 'imports the public entry from inside kit/src';
    if (!target.startsWith('kit/src/') && target !== ENTRY)
      return `the kit imports ${target}: it builds on the functions entry only`;
    return undefined;
  }
  if (!file.startsWith('functions/src/') || file === `${ENTRY}.ts`) return undefined;
  if (target === ENTRY) return 'imports the public entry from inside functions/src';
  // The Azure host serves the deployed functions: nothing they load may come from the kit, the host or any other part.
  if (!target.startsWith('functions/src/'))
    return `functions/src imports ${target}: what runs in the Functions worker imports nothing outside functions/src`;
  const layer = file.split('/')[2];
  const below = target.split('/')[2];
  if (RANK[layer] === undefined)
    return `functions/src/${layer} has no layer: add it to tools/test/layers.test.ts and docs/architecture.md`;
  if (RANK[below] === undefined) return `functions/src/${below} has no layer`;
  if (layer === below) return undefined;
  if (FEATURES.has(layer) && FEATURES.has(below)) return `feature ${layer} imports feature ${below}`;
  if (RANK[below] > RANK[layer]) return `${layer} (lower) imports ${below} (higher)`;
  return undefined;
}

/**
 * The files of functions/src that no function file loads, directly or through others: code the
 * Functions worker never runs, which belongs to the kit or to the part that uses it. The entry is
 * the package's door for the others, so it is the one exception.
 */
export function outsideTheWorker(files: string[], importsOf: (file: string) => string[]): string[] {
  const known = new Set(files);
  const resolve = (target: string) => [`${target}.ts`, `${target}/index.ts`].find((candidate) => known.has(candidate));
  const loaded = new Set<string>();
  const pending = files.filter((file) => file.startsWith('functions/src/functions/'));
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (loaded.has(file)) continue;
    loaded.add(file);
    for (const target of importsOf(file)) {
      const resolved = resolve(target);
      if (resolved !== undefined) pending.push(resolved);
    }
  }
  return files.filter((file) => file.startsWith('functions/src/') && file !== `${ENTRY}.ts` && !loaded.has(file));
}

describe('the import rules (docs/architecture.md)', () => {
  it('flags each kind of forbidden import', () => {
    expect(violation('host/src/main.ts', 'functions/src/core/config')).toMatch(/deep import/);
    expect(violation('tools/bench/support.ts', 'functions/src/storage/pool')).toMatch(/deep import/);
    expect(violation('test/support/db.ts', 'functions/src/storage/pool')).toMatch(/deep import/);
    expect(violation('functions/src/storage/pool.ts', 'functions/src/relay/project')).toMatch(/lower/);
    expect(violation('functions/src/core/config.ts', 'functions/src/protocol/schema')).toMatch(/lower/);
    expect(violation('functions/src/core/env.ts', 'functions/src/http/access')).toMatch(/lower/);
    expect(violation('functions/src/outbox/outbox.ts', 'functions/src/ingest/ingest')).toMatch(
      /feature outbox imports feature ingest/,
    );
    expect(violation('functions/src/relay/relay.ts', ENTRY)).toMatch(/public entry/);
    expect(violation('functions/src/newThing/x.ts', 'functions/src/core/errors')).toMatch(/no layer/);
  });

  it('keeps the kit out of the worker and the kit on the functions entry only', () => {
    expect(violation('host/src/main.ts', 'kit/src/runMain')).toMatch(
      /deep import of kit\/src\/runMain: import from kit\/src/,
    );
    expect(violation('dashboard/server/src/server.ts', 'kit/src/httpLimits')).toMatch(/deep import/);
    expect(violation('functions/test/relay.int.test.ts', 'kit/src/listen')).toMatch(/deep import/);
    expect(violation('functions/src/functions/webhook.ts', KIT_ENTRY)).toMatch(
      /imports nothing outside functions\/src/,
    );
    expect(violation('functions/src/runtime/deps.ts', 'host/src/host')).toMatch(
      /imports nothing outside functions\/src/,
    );
    expect(violation('kit/src/httpLimits.ts', 'functions/src/core/env')).toMatch(/deep import/);
    expect(violation('kit/src/listen.ts', 'host/src/host')).toMatch(/the kit imports host\/src\/host/);
    expect(violation('kit/src/guard.ts', 'test/support/wait')).toMatch(/the kit imports/);
    expect(violation('kit/src/runMain.ts', KIT_ENTRY)).toMatch(/public entry from inside kit\/src/);
  });

  it('lets the allowed imports through', () => {
    expect(violation('host/src/main.ts', ENTRY)).toBeUndefined();
    expect(violation('host/src/main.ts', KIT_ENTRY)).toBeUndefined();
    expect(violation('kit/src/httpLimits.ts', ENTRY)).toBeUndefined();
    expect(violation('kit/src/runMain.ts', 'kit/src/listen')).toBeUndefined();
    expect(violation('kit/test/runMain.test.ts', 'kit/src/runMain')).toBeUndefined();
    expect(violation(`${KIT_ENTRY}.ts`, 'kit/src/guard')).toBeUndefined();
    expect(violation('test/hostile/deepNesting.int.test.ts', 'functions/src/functions/webhook')).toBeUndefined();
    expect(violation('functions/src/functions/webhook.ts', 'functions/src/ingest/ingest')).toBeUndefined();
    expect(violation('functions/src/functions/tickets.ts', 'functions/src/http/query')).toBeUndefined();
    expect(violation('functions/src/runtime/deps.ts', 'functions/src/relay/relay')).toBeUndefined();
    expect(violation('functions/src/relay/relay.ts', 'functions/src/core/isolate')).toBeUndefined();
    expect(violation('functions/test/relay.int.test.ts', 'functions/src/relay/relay')).toBeUndefined();
  });

  it('finds a functions/src file that no function loads', () => {
    const tree: Record<string, string[]> = {
      'functions/src/index.ts': ['functions/src/core/errors', 'functions/src/server/listen'],
      'functions/src/functions/webhook.ts': ['functions/src/ingest/ingest', 'functions/src/http'],
      'functions/src/ingest/ingest.ts': ['functions/src/core/errors'],
      'functions/src/http/index.ts': [],
      'functions/src/core/errors.ts': [],
      'functions/src/server/listen.ts': ['functions/src/core/errors'],
    };
    expect(outsideTheWorker(Object.keys(tree), (file) => tree[file] ?? [])).toEqual(['functions/src/server/listen.ts']);
  });

  it('holds on every file of the tree', () => {
    const files = SCANNED.flatMap((dir) => tsFiles(dir));
    expect(files.length).toBeGreaterThan(100);
    const importsOf = (file: string) => relativeImports(file, readFileSync(path.join(ROOT, file), 'utf8'));
    const broken = files.flatMap((file) =>
      importsOf(file).flatMap((target) => {
        const why = violation(file, target);
        return why === undefined ? [] : [`${file} -> ${target}: ${why}`];
      }),
    );
    expect(broken).toEqual([]);
    expect(files).toContain('kit/src/runMain.ts');
    expect(outsideTheWorker(files, importsOf)).toEqual([]);
  });
});
