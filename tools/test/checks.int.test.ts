import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runChecks } from '../test-runner/checks';
import { alive } from '../../test/support/processes';
import { waitUntil } from '../../test/support/wait';

/** A throwaway project whose scripts leave a marker file when they run, for real npm to run. */
function project(scripts: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'petzi-checks-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'checks-fixture', private: true, scripts }));
  return dir;
}

const marks = (name: string) => `node -e "require('fs').writeFileSync('${name}.ran', '')"`;

describe("npm test's checks (typecheck, lint)", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const logged: string[] = [];
  const log = (message: string) => logged.push(message);

  it('runs every script in order and passes when all pass', async () => {
    const dir = project({ first: marks('first'), second: marks('second') });
    dirs.push(dir);
    const failure = await runChecks(
      ['first', 'second'],
      { cwd: dir, env: process.env, stopRequested: new Promise(() => undefined) },
      log,
    );
    expect(failure).toBeUndefined();
    expect(existsSync(path.join(dir, 'first.ran'))).toBe(true);
    expect(existsSync(path.join(dir, 'second.ran'))).toBe(true);
    expect(logged).toEqual(expect.arrayContaining(['npm run first', 'npm run second']));
  });

  it('stops at the first failing script and names it with its exit code', async () => {
    const dir = project({ first: marks('first'), broken: 'node -e "process.exit(3)"', never: marks('never') });
    dirs.push(dir);
    const failure = await runChecks(
      ['first', 'broken', 'never'],
      { cwd: dir, env: process.env, stopRequested: new Promise(() => undefined) },
      log,
    );
    expect(failure).toEqual({ script: 'broken', code: 3 });
    expect(existsSync(path.join(dir, 'first.ran'))).toBe(true);
    expect(existsSync(path.join(dir, 'never.ran'))).toBe(false);
  });

  it('fails with the npm on PATH too (the runner started by node, not by npm)', async () => {
    const dir = project({ broken: 'node -e "process.exit(2)"' });
    dirs.push(dir);
    const env = { ...process.env, npm_execpath: undefined };
    expect(await runChecks(['broken'], { cwd: dir, env, stopRequested: new Promise(() => undefined) }, log)).toEqual({
      script: 'broken',
      code: 2,
    });
  });

  it('ends a running check when npm test is asked to stop', async () => {
    // One simple command, so the shell npm starts execs node and npm's forwarded SIGTERM reaches it.
    const dir = project({
      hangs: `node -e "require('fs').writeFileSync('hangs.ran', String(process.pid)); setInterval(() => undefined, 1000)"`,
      never: marks('never'),
    });
    dirs.push(dir);
    let stop: (reason: string) => void = () => undefined;
    const stopRequested = new Promise<string>((resolve) => (stop = resolve));
    const result = runChecks(['hangs', 'never'], { cwd: dir, env: process.env, stopRequested }, log);
    // The mark holds the pid; an empty read is the instant between its creation and its write.
    const pid = await waitUntil(
      () =>
        Number(existsSync(path.join(dir, 'hangs.ran')) && readFileSync(path.join(dir, 'hangs.ran'), 'utf8')) ||
        undefined,
      30_000,
      'the check to start',
    );
    expect(alive(pid)).toBe(true);
    stop('SIGTERM');
    const failure = await result;
    expect(failure?.script).toBe('hangs');
    expect(failure?.code).not.toBe(0);
    await waitUntil(() => (alive(pid) ? undefined : true), 30_000, 'the check to exit');
    expect(existsSync(path.join(dir, 'never.ran'))).toBe(false);
  }, 60_000);
});
