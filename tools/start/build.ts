import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function newestMtime(dir: string, skip: Set<string>): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full, skip) : statSync(full).mtimeMs);
  }
  return newest;
}

function run(root: string, args: string[], what: string, log: (m: string) => void): void {
  log(`building ${what}…`);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`building ${what} failed (exit ${result.status ?? 'signal'})`);
}

/** Builds the dashboard (vite) when its output is missing or older than its sources. */
export function ensureDashboardBuilt(root: string, log: (m: string) => void): void {
  const dashboardOutput = path.join(root, 'dashboard', 'dist', 'index.html');
  const dashboardSources = newestMtime(path.join(root, 'dashboard'), new Set(['node_modules', 'dist', 'test']));
  if (!existsSync(dashboardOutput) || statSync(dashboardOutput).mtimeMs < dashboardSources) {
    const vite = path.join(path.dirname(require.resolve('vite/package.json', { paths: [root] })), 'bin', 'vite.js');
    run(
      root,
      [vite, 'build', '--config', 'dashboard/vite.config.ts', '--logLevel', 'warn'],
      'the dashboard (vite)',
      log,
    );
  }
}

/** Builds the Node code and the dashboard when their output is missing or older than their sources. */
export function ensureBuilt(root: string, log: (m: string) => void): void {
  const skip = new Set(['node_modules', 'dist', 'test']);
  const nodeOutput = path.join(root, 'dist', 'tools', 'start', 'main.js');
  const nodeSources = Math.max(
    ...['functions', 'kit', 'host', 'bridge', 'dashboard/server', 'tools', 'simulator'].map((d) =>
      newestMtime(path.join(root, d), skip),
    ),
  );
  if (!existsSync(nodeOutput) || statSync(nodeOutput).mtimeMs < nodeSources) {
    run(
      root,
      [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', 'tsconfig.json'],
      'the functions, bridge and tools (tsc)',
      log,
    );
  }
  ensureDashboardBuilt(root, log);
}
