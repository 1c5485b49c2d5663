import { copies, execForm, instructions } from './dockerfile';
import {
  dockerfileOf,
  dockerIgnored,
  finalStage,
  loadCompose,
  readRepoFile,
  repoFileExists,
  service,
  stageNamed,
} from './repo';
import { SQL_SOURCE_DIR } from '../../functions/src';

/** The Azure Functions image's entrypoint that writes the host's key file from the environment. */
const KEYS_SCRIPT = 'infra/docker/functions-keys.sh';

/** The Dockerfiles: bases, build steps, what the runtime image holds and where. */
const compose = loadCompose();
const packageJson = JSON.parse(readRepoFile('package.json')) as { main: string; scripts: Record<string, string> };
const dockerignore = readRepoFile('.dockerignore');

const BUILT = ['functions', 'sse-bridge', 'dashboard'];

describe('Dockerfiles', () => {
  it.each(BUILT)('%s is built from a Dockerfile in infra/docker with the repository as context', (name) => {
    const build = service(compose, name).build;
    expect(build?.context).toBe('.');
    expect(build?.dockerfile).toMatch(/^infra\/docker\/.+\.Dockerfile$/);
    expect(repoFileExists(build?.dockerfile ?? '')).toBe(true);
  });

  it.each(BUILT)('%s builds with npm ci on Node 22 (Node 20 reached end of life on 2026-04-30)', (name) => {
    const build = stageNamed(dockerfileOf(service(compose, name)), 'build');
    expect(build.image).toMatch(/^node:22(-|$)/);
    expect(instructions(build, 'RUN')).toContain('npm ci');
  });

  it.each(BUILT)('%s copies only files that exist and that .dockerignore lets into the context', (name) => {
    for (const stage of dockerfileOf(service(compose, name))) {
      for (const copy of copies(stage).filter((c) => c.from === undefined)) {
        for (const source of copy.sources.filter((s) => s !== '.')) {
          expect({ source, exists: repoFileExists(source), ignored: dockerIgnored(source, dockerignore) }).toEqual({
            source,
            exists: true,
            ignored: false,
          });
        }
      }
    }
  });

  it('keeps dependencies, build output and local secrets out of the context', () => {
    for (const path of [
      'node_modules',
      'dist',
      'dashboard/dist',
      '.env',
      'local.settings.json',
      '.data/azurite',
      'functions/test/x.test.ts',
    ]) {
      expect({ path, ignored: dockerIgnored(path, dockerignore) }).toEqual({ path, ignored: true });
    }
    for (const path of [
      'host.json',
      'package-lock.json',
      'functions/src/core/config.ts',
      'infra/migrations/001_webhook_event.sql',
      '.env.example',
    ]) {
      expect({ path, ignored: dockerIgnored(path, dockerignore) }).toEqual({ path, ignored: false });
    }
  });

  describe('functions', () => {
    const stages = dockerfileOf(service(compose, 'functions'));
    const runtime = finalStage(stages);
    const runtimeCopies = copies(runtime);

    it('runs on the Azure Functions Node 22 image from /home/site/wwwroot', () => {
      expect(runtime.image).toBe('mcr.microsoft.com/azure-functions/node:4-node22');
      expect(instructions(runtime, 'WORKDIR')).toEqual(['/home/site/wwwroot']);
      const env = instructions(runtime, 'ENV').join(' ');
      expect(env).toContain('AzureWebJobsScriptRoot=/home/site/wwwroot');
      expect(env).toContain('AzureFunctionsJobHost__Logging__Console__IsEnabled=true');
    });

    it('compiles with the same npm run build the native tests use', () => {
      expect(instructions(stageNamed(stages, 'build'), 'RUN')).toContain('npm run build');
      expect(packageJson.scripts.build).toMatch(/^tsc -p tsconfig\.json$/);
    });

    it('holds host.json, package.json, the compiled code, migrations and production node_modules', () => {
      const local = runtimeCopies.filter((c) => c.from === undefined);
      expect(local.flatMap((c) => c.sources)).toEqual(
        expect.arrayContaining(['host.json', 'package.json', 'package-lock.json', 'infra/migrations']),
      );
      expect(local.find((c) => c.sources.includes('infra/migrations'))?.destination).toBe('./infra/migrations');
      // migrate reads the relay's SQL functions from the source path too (SQL_SOURCE_DIR).
      expect(local.find((c) => c.sources.includes(SQL_SOURCE_DIR))?.destination).toBe(`./${SQL_SOURCE_DIR}`);

      const dist = runtimeCopies.find((c) => c.from === 'build');
      expect(dist?.sources).toEqual(['/src/dist']);
      expect(dist?.destination).toBe('./dist');

      const modules = runtimeCopies.find((c) => c.destination === './node_modules');
      expect(modules?.from).toBeDefined();
      expect(instructions(stageNamed(stages, modules?.from ?? ''), 'RUN')).toContain('npm ci --omit=dev');
    });

    it('has a local-host target: the same files under `npm run host`, on the same port, for engines without the Azure image', () => {
      const local = stageNamed(stages, 'local-host');
      expect(local.image).toBe(stageNamed(stages, 'build').image);
      const script = /node (\S+)$/.exec(packageJson.scripts.host);
      expect(execForm(instructions(local, 'CMD')[0])).toEqual(['node', script?.[1]]);
      expect(instructions(local, 'ENV').join(' ')).toMatch(/HOST=0\.0\.0\.0.*PORT=80/s);
      expect(instructions(local, 'EXPOSE')).toEqual(instructions(runtime, 'EXPOSE'));
      expect(instructions(local, 'WORKDIR')).toEqual(instructions(runtime, 'WORKDIR'));
      // Exactly what the Azure stage copies, so the test runs the files production runs; only the
      // Azure host's key provisioning (functions-keys.sh) has no use there: the local host reads the keys itself.
      expect(copies(local)).toEqual(runtimeCopies.filter((c) => !c.sources.includes(KEYS_SCRIPT)));
      expect(runtimeCopies.filter((c) => c.sources.includes(KEYS_SCRIPT))).toHaveLength(1);
      expect(instructions(local, 'LABEL')).toEqual(instructions(runtime, 'LABEL'));
      // The Azure stage stays last: a plain `docker build` (and compose without the test override) builds it.
      expect(stages[stages.length - 1]).toBe(runtime);
    });

    it('is loaded through package.json "main", which names the compiled function files', () => {
      // The worker loads every file the glob matches from /home/site/wwwroot; they compile from
      // functions/src/functions.
      expect(packageJson.main).toBe('dist/functions/src/functions/*.js');
      const hostJson = JSON.parse(readRepoFile('host.json')) as { extensions: { http: { routePrefix: string } } };
      expect(hostJson.extensions.http.routePrefix).toBe('');
    });
  });

  describe('sse-bridge', () => {
    const stages = dockerfileOf(service(compose, 'sse-bridge'));
    const runtime = finalStage(stages);

    it('runs the file npm run bridge runs, in the image and in compose', () => {
      const script = /node (\S+)$/.exec(packageJson.scripts.bridge);
      expect(script).not.toBeNull();
      const argv = ['node', script?.[1]];
      expect(service(compose, 'sse-bridge').command).toEqual(argv);
      expect(execForm(instructions(runtime, 'CMD')[0])).toEqual(argv);
      expect(script?.[1]).toBe('dist/bridge/src/main.js');
      expect(repoFileExists('bridge/src/main.ts')).toBe(true);
    });

    it('holds the compiled code, migrations and production node_modules on Node 22', () => {
      expect(runtime.image).toMatch(/^node:22(-|$)/);
      expect(instructions(stageNamed(stages, 'build'), 'RUN')).toContain('npm run build');
      const runtimeCopies = copies(runtime);
      expect(runtimeCopies.find((c) => c.from === 'build')?.sources).toEqual(['/src/dist']);
      expect(runtimeCopies.flatMap((c) => c.sources)).toContain('infra/migrations');
      expect(runtimeCopies.find((c) => c.sources.includes(SQL_SOURCE_DIR))?.destination).toBe(`./${SQL_SOURCE_DIR}`);
      const modules = runtimeCopies.find((c) => c.destination === './node_modules');
      expect(instructions(stageNamed(stages, modules?.from ?? ''), 'RUN')).toContain('npm ci --omit=dev');
    });
  });

  describe('dashboard', () => {
    const stages = dockerfileOf(service(compose, 'dashboard'));
    const runtime = finalStage(stages);

    it('builds with npm run dashboard:build and serves its output with nginx', () => {
      expect(packageJson.scripts['dashboard:build']).toMatch(/^vite build --config dashboard\/vite\.config\.ts$/);
      expect(instructions(stageNamed(stages, 'build'), 'RUN')).toContain('npm run dashboard:build');
      expect(runtime.image).toMatch(/^nginx(:|$)/);
      const site = copies(runtime).find((c) => c.from === 'build');
      expect(site).toEqual({ from: 'build', sources: ['/src/dashboard/dist'], destination: '/usr/share/nginx/html' });
      // vite writes to dashboard/dist (its root's dist/); the image copies that directory.
      expect(readRepoFile('dashboard/vite.config.ts')).toMatch(/outDir:\s*path\.join\(root,\s*'dist'\)/);
    });

    it('replaces the default server with infra/nginx/dashboard.conf, started by start.sh (HTTPS when given a certificate)', () => {
      expect(copies(runtime)).toContainEqual({
        from: undefined,
        sources: ['infra/nginx/dashboard.conf'],
        destination: '/etc/nginx/conf.d/default.conf',
      });
      expect(copies(runtime)).toContainEqual({
        from: undefined,
        sources: ['infra/nginx/start.sh'],
        destination: '/etc/nginx/petzi/start.sh',
      });
      expect(execForm(instructions(runtime, 'CMD')[0])).toEqual(['/bin/sh', '/etc/nginx/petzi/start.sh']);
    });
  });
});
