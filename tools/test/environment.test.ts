import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Env, type Variable } from '../../functions/src';
import { HOST_VARIABLES, hostSettings } from '../../host/src/environment';
import { BRIDGE_VARIABLES, loadBridgeConfig } from '../../bridge/src/config';
import { DASHBOARD_VARIABLES, loadDashboardConfig } from '../../dashboard/server/src/config';
import { FUNCTION_VARIABLES, TOPOLOGY_VARIABLES } from '../../functions/src';
import { cliConfig, cliTopologyPrefix, OPS_VARIABLES } from '../ops/connect';
import { settingVariable } from '../start/environment';
import { PROCESSES } from '../docs/configuration';

/**
 * Every variable is read through its declaration (functions/src/core/env.ts), and each process's
 * list, which its --help and docs/configuration.md print, is what that process reads.
 */
const ROOT = path.resolve(__dirname, '..', '..');

/** The names a reader looks at, recorded through a Proxy over the given values. */
function namesRead(readAll: (env: Env) => unknown, values: Env = {}): Set<string> {
  const seen = new Set<string>();
  const env = new Proxy(values, {
    get(target, name) {
      if (typeof name === 'string') seen.add(name);
      return target[name as string];
    },
  });
  try {
    readAll(env);
  } catch {
    // A reader that refuses (npm run ops with no database to find) has read what it read.
  }
  return seen;
}

const namesOf = (variables: readonly Variable[]) => new Set(variables.flatMap((v) => [v.name, ...(v.aliases ?? [])]));

describe("each process's list is what it reads", () => {
  // Each reader, with values that take every branch that reads a variable (a password makes the
  // dashboard read its user and token too).
  const cases: Array<[string, readonly Variable[], Array<[(env: Env) => unknown, Env]>]> = [
    // loadConfig reads the relay queues' type, declared with the topology.
    [
      'functions (loadConfig)',
      [...Object.values(FUNCTION_VARIABLES), TOPOLOGY_VARIABLES.PETZI_RELAY_QUEUE_TYPE],
      [[loadConfig, {}]],
    ],
    ['functions host', HOST_VARIABLES, [[hostSettings, {}]]],
    ['SSE bridge', BRIDGE_VARIABLES, [[loadBridgeConfig, {}]]],
    [
      'dashboard server',
      DASHBOARD_VARIABLES,
      [
        [loadDashboardConfig, {}],
        [loadDashboardConfig, { DASHBOARD_PASSWORD: 'p' }],
      ],
    ],
    [
      'npm run ops',
      [...OPS_VARIABLES, ...Object.values(FUNCTION_VARIABLES), TOPOLOGY_VARIABLES.PETZI_RELAY_QUEUE_TYPE],
      [
        [(env) => cliConfig(env), { DATABASE_URL: 'postgres://x/y' }],
        [(env) => cliConfig(env, path.join(ROOT, 'no-such-root')), {}],
        [cliTopologyPrefix, {}],
      ],
    ],
  ];

  it.each(cases)('%s reads only the names of its list, and every one of them', (_name, variables, readers) => {
    const read = new Set<string>();
    for (const [reader, values] of readers) {
      for (const name of namesRead(reader, values)) read.add(name);
    }
    const declared = namesOf(variables);
    expect([...read].filter((name) => !declared.has(name))).toEqual([]);
    expect([...declared].filter((name) => !read.has(name))).toEqual([]);
  });
});

describe('the declarations', () => {
  const every = PROCESSES.flatMap((p) => p.variables);

  it('name each variable once in each list', () => {
    for (const { title, variables } of PROCESSES) {
      const names = variables.map((v) => v.name);
      expect({ title, duplicates: names.filter((name, i) => names.indexOf(name) !== i) }).toEqual({
        title,
        duplicates: [],
      });
    }
  });

  it('give a name the same kind wherever it is declared', () => {
    const kinds = new Map<string, Set<string>>();
    for (const v of every) kinds.set(v.name, (kinds.get(v.name) ?? new Set()).add(v.kind));
    expect(
      [...kinds].filter(([, set]) => set.size > 1).map(([name, set]) => `${name}: ${[...set].join(', ')}`),
    ).toEqual([]);
  });

  it('say what each variable means, and a default fits its own range', () => {
    for (const v of every) {
      expect(v.meaning.trim().length).toBeGreaterThan(5);
      expect(v.meaning).not.toMatch(/\.$/);
      if ((v.kind === 'int' || v.kind === 'port') && v.default !== undefined) {
        expect(v.default).toBeGreaterThanOrEqual(v.kind === 'int' ? v.min : (v.min ?? 0));
        if (v.kind === 'int' && v.max !== undefined) expect(v.default).toBeLessThanOrEqual(v.max);
      }
    }
  });

  it('cover every setting of local.settings.example.json, which npm start hands on', () => {
    const { Values } = JSON.parse(readFileSync(path.join(ROOT, 'local.settings.example.json'), 'utf8')) as {
      Values: Record<string, string>;
    };
    expect(Object.keys(Values).length).toBeGreaterThan(5);
    for (const name of Object.keys(Values)) expect(() => settingVariable(name)).not.toThrow();
    expect(() => settingVariable('NOT_A_SETTING')).toThrow(/NOT_A_SETTING, which no declaration names/);
  });
});

describe('nothing reads the environment around the declarations', () => {
  /** The system's own variables, which configure no part of the pipeline. */
  const SYSTEM = new Set(['PATH', 'PATHEXT', 'HOME', 'TMPDIR']);
  const SOURCES = [
    'functions/src',
    'host/src',
    'bridge/src',
    'dashboard/server/src',
    'dashboard/src',
    'simulator/src',
    'tools',
  ];
  const SKIP = new Set(['node_modules', 'dist', 'test']);
  // The Vite dev server's config is bundled by Vite apart from the Node code: it reads the dashboard
  // server's two URLs raw, and they must be declared there.
  const VITE = 'dashboard/vite.config.ts';

  function sources(dir: string, out: string[] = []): string[] {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIP.has(entry.name)) sources(rel, out);
      } else if (/\.(ts|js|vue)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
    }
    return out;
  }

  /** Names read straight from an environment object: env.NAME, env['NAME'], process.env.NAME. */
  const rawReads = (source: string) =>
    [...source.matchAll(/\benv(?:\.|\[['"`])([A-Z][A-Za-z0-9_]*)/g)].map((m) => m[1]);

  it('finds a raw read where there is one', () => {
    expect(
      rawReads("const a = process.env.DATABASE_URL; env['RabbitMQConnection']; readEnv.read(env, X); // env.ts"),
    ).toEqual(['DATABASE_URL', 'RabbitMQConnection']);
  });

  it('reads every variable through readEnv.read, outside the system variables', () => {
    const files = SOURCES.flatMap((dir) => sources(dir)).filter(
      (file) => file !== VITE && file !== 'functions/src/core/env.ts',
    );
    expect(files.length).toBeGreaterThan(100);
    const raw = files.flatMap((file) =>
      rawReads(readFileSync(path.join(ROOT, file), 'utf8'))
        .filter((name) => !SYSTEM.has(name))
        .map((name) => `${file}: ${name}`),
    );
    expect(raw).toEqual([]);
  });

  it("lets the Vite config read only the dashboard server's declared variables", () => {
    const names = rawReads(readFileSync(path.join(ROOT, VITE), 'utf8'));
    expect(names.sort()).toEqual(['BRIDGE_URL', 'FUNCTIONS_URL']);
    const declared = namesOf(DASHBOARD_VARIABLES);
    expect(names.filter((name) => !declared.has(name))).toEqual([]);
  });
});
