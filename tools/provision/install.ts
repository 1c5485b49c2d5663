import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { readEnv } from '../../functions/src';
import { PROVISION_VARIABLES } from './environment';
import { shownPath } from './log';
import { ensureDataDir } from './privateDir';
import { withSpinner } from './spinner';

/** A package as each supported package manager names it. */
export interface SystemPackage {
  /** What the user is told is being installed, e.g. "RabbitMQ". */
  what: string;
  apt: string;
  /** Arguments after `brew install`, e.g. "--cask chromium". */
  brew: string;
}

export interface InstallOptions {
  /** `--no-install` or PETZI_NO_INSTALL=1 turn installing off. */
  allowed: boolean;
  /** The apt/brew log goes here (the project's .data folder). */
  logDir: string;
  env: NodeJS.ProcessEnv;
}

interface Installer {
  kind: 'apt' | 'brew';
  /** argv prefix: [] as root, ['sudo', '-n'] when sudo works without a password. */
  asRoot: string[];
}

export function installingAllowed(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return !argv.includes('--no-install') && !readEnv.read(env, PROVISION_VARIABLES.PETZI_NO_INSTALL);
}

export function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && existsSync(path.join(dir, command)));
}

function findInstaller(env: NodeJS.ProcessEnv): Installer | null {
  if (process.platform === 'linux' && existsSync('/usr/bin/apt-get')) {
    if (userInfo().uid === 0) return { kind: 'apt', asRoot: [] };
    if (onPath('sudo', env) && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 10_000 }).status === 0)
      return { kind: 'apt', asRoot: ['sudo', '-n'] };
    return null;
  }
  // Homebrew installs as the user; best effort, not tested on this project's machines.
  if (process.platform === 'darwin' && onPath('brew', env)) return { kind: 'brew', asRoot: [] };
  return null;
}

/**
 * What runs a command as root here, as installing does: [] as root or with Homebrew, ['sudo', '-n'], or null when
 * nothing can.
 */
export function rootCommandPrefix(env: NodeJS.ProcessEnv): string[] | null {
  return findInstaller(env)?.asRoot ?? null;
}

function run(argv: string[], logFd: number, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', logFd, logFd], env });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${argv.join(' ')} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

/**
 * Installs a system package with apt (as root, or through `sudo -n`) or Homebrew, announced in
 * one line, its output kept in logDir. Resolves false when installing is off or impossible
 * here, so the caller can fall back to telling the user what to do.
 */
export async function installSystemPackage(
  pkg: SystemPackage,
  options: InstallOptions,
  log: (m: string) => void,
): Promise<boolean> {
  if (!options.allowed) return false;
  const installer = findInstaller(options.env);
  if (!installer) return false;
  ensureDataDir(options.logDir);
  const logFile = path.join(options.logDir, `${installer.kind}-${pkg.apt}.log`);
  const shown = shownPath(logFile);
  const env = { ...options.env, DEBIAN_FRONTEND: 'noninteractive' };
  // The log is the caller's alone, like everything else in the data folder.
  const fd = openSync(logFile, 'a', 0o600);
  chmodSync(logFile, 0o600);
  try {
    const steps =
      installer.kind === 'apt'
        ? [
            [...installer.asRoot, 'apt-get', 'update', '-q'],
            [...installer.asRoot, 'apt-get', 'install', '-y', '-q', pkg.apt],
          ]
        : [['brew', 'install', ...pkg.brew.split(' ')]];
    await withSpinner(
      `Installing ${pkg.what} (${installer.kind === 'apt' ? `Debian's ${pkg.apt}` : `brew ${pkg.brew}`}; log in ${shown}; PETZI_NO_INSTALL=1 turns this off)`,
      async () => {
        for (const step of steps) await run(step, fd, env);
      },
    );
    return true;
  } catch (error) {
    log(`installing ${pkg.what} failed: ${error instanceof Error ? error.message : String(error)}; see ${shown}`);
    return false;
  } finally {
    closeSync(fd);
  }
}
