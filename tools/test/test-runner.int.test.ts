import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../bench/support';
import { nodePorts } from '../provision/rabbitmq';
import { holdNpmStartPorts, type HeldPorts } from '../../test/support/heldPorts';
import { alive, commandOf, descendants, isListening } from '../../test/support/processes';
import { waitUntil } from '../../test/support/wait';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * npm test's runner with nothing answering at the test URLs, so it provisions both services.
 * Without its typecheck and lint (checks.int.test.ts covers those): this is about the services.
 */
async function startRunner(jestArgs: string[]) {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'dist', 'tools', 'test-runner', 'main.js'), '--no-install', '--no-checks', ...jestArgs],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        TEST_DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${await freePort()}/postgres`,
        TEST_RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${await freePort()}`,
        TEST_RABBITMQ_MANAGEMENT_URL: 'http://127.0.0.1:1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
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

describe('npm test runner (tools/test-runner.js)', () => {
  // As beside a user's running npm start: the services the runner provisions take other ports.
  let npmStartPorts: HeldPorts;
  beforeAll(async () => {
    npmStartPorts = await holdNpmStartPorts();
  });
  afterAll(() => npmStartPorts.release());

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    'stops jest and the services it started on %s',
    async (signal) => {
      const runner = await startRunner(['functions/test/webhook.int.test.ts']);
      try {
        const jest = await waitUntil(
          () => descendants(runner.child.pid!).find((pid) => commandOf(pid).includes('jest/bin/jest')),
          120_000,
          'jest to start',
        ).catch((error: unknown) => {
          throw new Error(`${String(error)}\n${runner.output()}`);
        });
        const family = descendants(runner.child.pid!);
        const commands = family.map(commandOf);
        expect(commands.some((c) => c.includes('postgres'))).toBe(true);
        expect(commands.some((c) => c.includes('beam'))).toBe(true);
        runner.child.kill(signal);
        expect(await runner.exited).not.toBe(0);
        expect(alive(jest)).toBe(false);
        await waitUntil(
          () => (family.every((pid) => !alive(pid)) ? true : undefined),
          30_000,
          'every process the runner started to exit',
        );
        for (const port of servicePorts(runner.output())) expect(await isListening(port)).toBe(false);
        expect(runner.output()).toContain(`${signal}: stopping the services started for the tests`);
      } finally {
        if (runner.child.exitCode === null) runner.child.kill('SIGKILL');
      }
    },
    180_000,
  );

  it('stops the services it started after a failed run, and fails', async () => {
    const runner = await startRunner(['test/no-such-test-file.test.ts']);
    expect(await runner.exited).toBe(1);
    const output = runner.output();
    expect(output).toContain('No tests found');
    expect(output).toContain('stopping the services started for the tests');
    for (const port of servicePorts(output)) expect(await isListening(port)).toBe(false);
  }, 180_000);
});
