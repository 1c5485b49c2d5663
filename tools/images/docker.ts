import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** The outcome of one command: its exit code and what it printed (stderr after stdout). */
export interface CommandResult {
  code: number;
  output: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Appends everything the command prints to this file (build logs), instead of keeping it. */
  logFile?: string;
  /** Streams the output to this process's stderr as well. */
  verbose?: boolean;
  /** Feeds stdout of this command into the command's stdin (tar | docker import). */
  stdinFrom?: { command: string; args: string[]; cwd?: string };
}

/** Runs a command without a shell; resolves with its exit code, never rejects on a non-zero code. */
export function run(command: string, args: string[], opts: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let feeder: ReturnType<typeof spawn> | undefined;
    if (opts.stdinFrom) {
      feeder = spawn(opts.stdinFrom.command, opts.stdinFrom.args, {
        cwd: opts.stdinFrom.cwd,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      feeder.stdout?.pipe(child.stdin);
      feeder.on('error', reject);
    } else {
      child.stdin.end();
    }
    const chunks: Buffer[] = [];
    const collect = (chunk: Buffer): void => {
      // A build log can be large: keep only the tail in memory when it also goes to a file.
      chunks.push(chunk);
      if (log && chunks.length > 200) chunks.shift();
      log?.write(chunk);
      if (opts.verbose) process.stderr.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err: NodeJS.ErrnoException) => {
      log?.end();
      reject(err.code === 'ENOENT' ? new Error(`${command} is not installed (${err.message})`) : err);
    });
    child.on('close', (code) => {
      const done = (): void => resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString('utf8') });
      if (log) log.end(done);
      else done();
    });
  });
}

/** Runs a command and returns its trimmed output; a non-zero exit becomes an error quoting the output's tail. */
export async function runOk(command: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const res = await run(command, args, opts);
  if (res.code !== 0) {
    const where = opts.logFile ? ` (full log: ${opts.logFile})` : '';
    throw new Error(`${command} ${args.join(' ')} exited with ${res.code}${where}:\n${tail(res.output, 40)}`);
  }
  return res.output.trim();
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * The environment every docker command gets: the classic builder, because BuildKit's frontends come from Docker Hub.
 */
export function dockerEnv(): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_BUILDKIT: '0', COMPOSE_DOCKER_CLI_BUILD: '0' };
}

/** The value of one label on a local image, or undefined when the image does not exist. */
export async function imageLabel(tag: string, label: string): Promise<string | undefined> {
  const res = await run('docker', ['image', 'inspect', '--format', `{{ index .Config.Labels "${label}" }}`, tag], {
    env: dockerEnv(),
  });
  if (res.code !== 0) return undefined;
  return res.output.trim();
}
