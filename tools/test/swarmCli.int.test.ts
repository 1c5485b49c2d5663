import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The swarm tools' CLIs as a user runs them, from the build npm test makes first: no Docker is touched. */
const ROOT = path.resolve(__dirname, '..', '..');
const CLIS = [
  ['npm run swarm:secrets', 'dist/tools/swarm/secretsCli.js'],
  ['npm run bench:swarm', 'dist/tools/swarm/scaleBench.js'],
] as const;

function run(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, [script, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('the swarm tools on the command line', () => {
  it.each(CLIS)('%s --help prints its usage and exits 0', (name, script) => {
    const res = run(script, ['--help']);
    expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
    expect(res.stdout).toContain(`Usage: ${name} --`);
  });

  it.each([
    ['npm run swarm:secrets', 'dist/tools/swarm/secretsCli.js', ['--bogus'], 'swarm:secrets: unknown option --bogus'],
    ['npm run swarm:secrets', 'dist/tools/swarm/secretsCli.js', [], 'swarm:secrets: give exactly one directory'],
    [
      'npm run bench:swarm',
      'dist/tools/swarm/scaleBench.js',
      ['--replicas', '0'],
      'bench:swarm: --replicas takes integers from 1 to 12',
    ],
    ['npm run bench:swarm', 'dist/tools/swarm/scaleBench.js', ['--seconds'], 'bench:swarm: --seconds needs a value'],
  ])('%s %j refuses with exit 64, a message and the usage', (_name, script, args, message) => {
    const res = run(script, args);
    expect(res.status).toBe(64);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(message);
    expect(res.stderr).toContain('Usage:');
  });

  it('swarm:secrets writes every secret into a new directory, then refuses to overwrite it without --force', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'petzi-swarm-cli-'));
    try {
      const target = path.join(dir, 'secrets');
      const first = run('dist/tools/swarm/secretsCli.js', [target]);
      expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: '' });
      expect(first.stdout).toContain(`wrote 10 secrets to ${target}`);
      expect(readdirSync(target)).toHaveLength(10);
      const again = run('dist/tools/swarm/secretsCli.js', [target]);
      expect(again.status).toBe(1);
      expect(again.stderr).toContain('already holds files; pass --force');
      expect(run('dist/tools/swarm/secretsCli.js', [target, '--force']).status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
