import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The import rules of docs/architecture.md, checked on every .ts file of the tree:
 * - outside functions/, functions is imported only through its entry functions/src (index.ts);
 * - inside functions/src, imports run only downward: functions -> runtime (the composition root)
 *   -> features -> adapters and contracts -> core and server, and no feature imports another.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const SCANNED = ['functions', 'host', 'bridge', 'dashboard', 'simulator', 'tools', 'test'];
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
  core: 0,
  server: 0,
};
const ENTRY = 'functions/src/index';

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
    .map((target) => (target === 'functions/src/index' || target === 'functions/src' ? ENTRY : target));
}

/** Why importing `target` from `file` breaks a rule, or undefined. */
export function violation(file: string, target: string): string | undefined {
  const inFunctions = (p: string) => p === 'functions' || p.startsWith('functions/');
  if (!inFunctions(file)) {
    if (!inFunctions(target) || target === ENTRY) return undefined;
    // The function files register with Azure when loaded, so the entry cannot re-export them.
    if (file.startsWith('test/') && /^functions\/src\/functions\/[^/]+$/.test(target)) return undefined;
    // Browser code takes the live-event type only; the entry would pull Node code into vue-tsc.
    if (file.startsWith('dashboard/src/') && target.startsWith('functions/src/protocol/')) return undefined;
    return `deep import of ${target}: import from functions/src instead`;
  }
  if (!file.startsWith('functions/src/') || file === `${ENTRY}.ts`) return undefined;
  if (target === ENTRY) return 'imports the public entry from inside functions/src';
  if (!target.startsWith('functions/src/')) return undefined;
  const from = file.split('/')[2];
  const to = target.split('/')[2];
  if (RANK[from] === undefined) return `functions/src/${from} has no layer: add it to tools/test/layers.test.ts and docs/architecture.md`;
  if (RANK[to] === undefined) return `functions/src/${to} has no layer`;
  if (from === to) return undefined;
  if (FEATURES.has(from) && FEATURES.has(to)) return `feature ${from} imports feature ${to}`;
  if (RANK[to] > RANK[from]) return `${from} (lower) imports ${to} (higher)`;
  return undefined;
}

describe('the import rules (docs/architecture.md)', () => {
  it('flags each kind of forbidden import', () => {
    expect(violation('host/src/main.ts', 'functions/src/core/config')).toMatch(/deep import/);
    expect(violation('tools/bench/support.ts', 'functions/src/storage/pool')).toMatch(/deep import/);
    expect(violation('test/support/db.ts', 'functions/src/storage/pool')).toMatch(/deep import/);
    expect(violation('functions/src/storage/pool.ts', 'functions/src/relay/project')).toMatch(/lower/);
    expect(violation('functions/src/core/config.ts', 'functions/src/protocol/schema')).toMatch(/lower/);
    expect(violation('functions/src/outbox/outbox.ts', 'functions/src/ingest/ingest')).toMatch(/feature outbox imports feature ingest/);
    expect(violation('functions/src/relay/relay.ts', ENTRY)).toMatch(/public entry/);
    expect(violation('functions/src/newThing/x.ts', 'functions/src/core/errors')).toMatch(/no layer/);
  });

  it('lets the allowed imports through', () => {
    expect(violation('host/src/main.ts', ENTRY)).toBeUndefined();
    expect(violation('test/hostile/deepNesting.int.test.ts', 'functions/src/functions/webhook')).toBeUndefined();
    expect(violation('functions/src/functions/webhook.ts', 'functions/src/ingest/ingest')).toBeUndefined();
    expect(violation('functions/src/runtime/deps.ts', 'functions/src/relay/relay')).toBeUndefined();
    expect(violation('functions/src/relay/relay.ts', 'functions/src/core/isolate')).toBeUndefined();
    expect(violation('functions/test/relay.int.test.ts', 'functions/src/relay/relay')).toBeUndefined();
  });

  it('holds on every file of the tree', () => {
    const files = SCANNED.flatMap((dir) => tsFiles(dir));
    expect(files.length).toBeGreaterThan(100);
    const broken = files.flatMap((file) =>
      relativeImports(file, readFileSync(path.join(ROOT, file), 'utf8')).flatMap((target) => {
        const why = violation(file, target);
        return why === undefined ? [] : [`${file} -> ${target}: ${why}`];
      }),
    );
    expect(broken).toEqual([]);
  });
});
