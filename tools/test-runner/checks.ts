import { spawn } from 'node:child_process';

/** The package.json scripts npm test runs before any test, in order: each must pass with zero errors. */
export const CHECKS = ['typecheck', 'lint'] as const;

export interface CheckOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Resolves when npm test is asked to stop: the running check is then ended. */
  stopRequested: Promise<string>;
}

export interface CheckFailure {
  script: string;
  code: number;
}

/** `npm run <script>` through the npm that started npm test, else the npm on PATH (the runner started by hand). */
function npmRun(script: string, env: NodeJS.ProcessEnv): [string, string[]] {
  const npm = env.npm_execpath;
  const args = ['run', '--silent', script];
  return npm && /\.c?js$/.test(npm) ? [process.execPath, [npm, ...args]] : ['npm', args];
}

function runScript(script: string, options: CheckOptions): Promise<number> {
  const [command, args] = npmRun(script, options.env);
  // Its own process group: npm passes a SIGTERM on to the shell of a script like `tsc && vue-tsc`,
  // not to the tsc under it, so a stop ends the whole group.
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  void options.stopRequested.then(() => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // The group is already gone.
    }
  });
  return new Promise((resolve) => {
    child.once('error', () => resolve(1));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}

/**
 * Runs the scripts one after another and stops at the first that fails. They stay defined once, in
 * package.json, so `npm run lint` by hand and npm test check the same thing.
 */
export async function runChecks(
  scripts: readonly string[],
  options: CheckOptions,
  log: (message: string) => void,
): Promise<CheckFailure | undefined> {
  for (const script of scripts) {
    log(`npm run ${script}`);
    const code = await runScript(script, options);
    if (code !== 0) return { script, code };
  }
  return undefined;
}
