import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Node ends a process on an unhandled rejection by default. Each server's main installs
 * keepRunningOnUnhandledRejections; a child process (built code, `npm run build` first) shows the
 * difference: the rejection is logged and the process goes on to finish its work.
 */
const guards = path.resolve(__dirname, '../../dist/kit/src/processGuards.js');

function run(install: boolean): { status: number | null; stdout: string; stderr: string } {
  const script = [
    install ? `require(${JSON.stringify(guards)}).keepRunningOnUnhandledRejections((m) => console.error(m));` : '',
    "Promise.reject(new Error('nobody awaited this'));",
    "setTimeout(() => console.log('still serving'), 200);",
  ].join('\n');
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

test('without the guard an unhandled rejection ends the process', () => {
  const result = run(false);
  expect(result.status).not.toBe(0);
  expect(result.stdout).not.toContain('still serving');
});

test('with it the rejection is logged once and the process goes on', () => {
  const result = run(true);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('still serving');
  expect(result.stderr.trim()).toBe('unhandled promise rejection (kept running): nobody awaited this');
});
