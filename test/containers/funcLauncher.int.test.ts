import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readRepoFile, repoPath } from './repo';

/** `npm run func` without Azure Functions Core Tools: it must say what to install and fail. */
const SCRIPT = repoPath('tools/func.js');

function runLauncher(args: string[], pathDirs: string[]) {
  return spawnSync(process.execPath, [SCRIPT, ...args], {
    encoding: 'utf8',
    env: { HOME: process.env.HOME ?? tmpdir(), PATH: pathDirs.join(path.delimiter) },
    timeout: 30_000,
  });
}

describe('npm run func', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'func-launcher-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the package.json script', () => {
    const { scripts } = JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> };
    expect(scripts.func).toBe('node tools/func.js');
  });

  it('without func on PATH, names Core Tools v4 and npm run host, and exits non-zero', () => {
    const result = runLauncher([], [dir]);
    expect(result.status).not.toBe(0);
    expect(result.status).not.toBeNull();
    expect(result.stderr).toContain('Azure Functions Core Tools v4');
    expect(result.stderr).toContain('npm install -g azure-functions-core-tools@4');
    expect(result.stderr).toContain('`npm run host`');
    expect(result.stdout).not.toContain('> npm run build');
  });

  it('refuses a Core Tools release other than 4.x before building anything', () => {
    const fake = path.join(dir, 'func');
    writeFileSync(fake, '#!/bin/sh\necho 3.0.3904\n');
    chmodSync(fake, 0o755);
    const result = runLauncher([], [dir]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('reported "3.0.3904"');
    expect(result.stderr).toContain('v4 is required');
    expect(result.stdout).not.toContain('> npm run build');
  });

  it('--help explains what it runs and exits 0', () => {
    const result = runLauncher(['--help'], [dir]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('func start --port 5000');
    expect(result.stdout).toContain('azurite@3.35.0');
    expect(result.stdout).toContain('npm run host');
  });
});
