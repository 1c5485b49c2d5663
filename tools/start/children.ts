import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { readEnv } from '../../functions/src';
import { START_OWN_VARIABLES } from './environment';

const COLORS = [36, 35, 33, 32, 34, 31];

export interface ManagedChild {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code (or 128 + signal number style code) once it has exited. */
  exited: Promise<number>;
  /** SIGTERM, then SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<number>;
}

function colour(index: number, text: string, enabled: boolean): string {
  return enabled ? `\u001b[${COLORS[index % COLORS.length]}m${text}\u001b[0m` : text;
}

/** Pipes each line of a stream to ours, prefixed with the child's coloured name. */
function prefixLines(stream: NodeJS.ReadableStream | null, prefix: string, out: NodeJS.WritableStream): void {
  if (!stream) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) out.write(`${prefix} ${line}\n`);
  });
  stream.on('end', () => {
    if (pending !== '') out.write(`${prefix} ${pending}\n`);
  });
}

export function startChild(
  index: number,
  name: string,
  script: string,
  env: Record<string, string>,
  root: string,
): ManagedChild {
  const child = spawn(process.execPath, [path.join(root, script)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const useColour =
    Boolean(process.stdout.isTTY) && readEnv.read(process.env, START_OWN_VARIABLES.NO_COLOR) === undefined;
  const prefix = colour(index, `[${name}]`.padEnd(12), useColour);
  prefixLines(child.stdout, prefix, process.stdout);
  prefixLines(child.stderr, prefix, process.stderr);
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 1)));
  });
  return {
    name,
    process: child,
    exited,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
