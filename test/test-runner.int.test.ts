import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { freePort } from '../infra/bench/support';
import { nodePorts } from '../infra/src/provision/rabbitmq';
import { waitUntil } from './support/wait';

const ROOT = path.resolve(__dirname, '..');

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Every live process below pid, with its command line, from /proc. */
function descendants(pid: number): Array<{ pid: number; command: string }> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') parents.set(Number(entry), Number(ppid));
    } catch {
      // exited while we looked
    }
  }
  const found: Array<{ pid: number; command: string }> = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid !== parent) continue;
      let command = '';
      try {
        command = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ');
      } catch {
        // exited while we looked
      }
      found.push({ pid: child, command });
      walk(child);
    }
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** npm test's runner with nothing answering at the test URLs, so it provisions both services. */
async function startRunner(jestArgs: string[]) {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'infra', 'src', 'test-runner', 'main.js'), '--no-install', ...jestArgs], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEST_DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${await freePort()}/postgres`,
      TEST_RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${await freePort()}`,
      TEST_RABBITMQ_MANAGEMENT_URL: 'http://127.0.0.1:1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** The ports the runner's own services took, from what it said. */
function servicePorts(output: string): number[] {
  const postgres = Number(/Postgres: embedded server on port (\d+)/.exec(output)?.[1]);
  const rabbit = Number(/private node petzi-\d+@localhost on port (\d+)/.exec(output)?.[1]);
  expect(postgres).toBeGreaterThan(0);
  expect(rabbit).toBeGreaterThan(0);
  return [postgres, ...nodePorts(rabbit)];
}

describe('npm test runner (infra/test-runner.js)', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('stops jest and the services it started on %s', async (signal) => {
    const runner = await startRunner(['functions/test/webhook.int.test.ts']);
    try {
      const jest = await waitUntil(() => descendants(runner.child.pid!).find((p) => p.command.includes('jest/bin/jest')), 120_000, 'jest to start').catch((error: unknown) => {
        throw new Error(`${String(error)}\n${runner.output()}`);
      });
      const family = descendants(runner.child.pid!);
      expect(family.some((p) => p.command.includes('postgres'))).toBe(true);
      expect(family.some((p) => p.command.includes('beam'))).toBe(true);
      runner.child.kill(signal);
      expect(await runner.exited).not.toBe(0);
      expect(alive(jest.pid)).toBe(false);
      await waitUntil(() => (family.every((p) => !alive(p.pid)) ? true : undefined), 30_000, 'every process the runner started to exit');
      for (const port of servicePorts(runner.output())) expect(await isListening(port)).toBe(false);
      expect(runner.output()).toContain(`${signal}: stopping the services started for the tests`);
    } finally {
      if (runner.child.exitCode === null) runner.child.kill('SIGKILL');
    }
  }, 180_000);

  it('stops the services it started after a failed run, and fails', async () => {
    const runner = await startRunner(['test/no-such-test-file.test.ts']);
    expect(await runner.exited).toBe(1);
    const output = runner.output();
    expect(output).toContain('No tests found');
    expect(output).toContain('stopping the services started for the tests');
    for (const port of servicePorts(output)) expect(await isListening(port)).toBe(false);
  }, 180_000);
});
