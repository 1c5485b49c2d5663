import { ConfigError } from '../../functions/src';
import { PortInUseError } from '../src/listen';
import { EXIT_USAGE, runMain, type MainProcess, type MainSpec, type Running } from '../src/runMain';

/** A process as runMain sees it, recording what it printed, its exit code and what it installed. */
function fakeProcess(argv: string[] = [], env: Record<string, string> = {}) {
  const said = {
    out: [] as string[],
    err: [] as string[],
    exit: undefined as number | undefined,
    stop: undefined as (() => Promise<void>) | undefined,
    keptRunning: false,
  };
  const proc: MainProcess = {
    argv,
    env,
    out: (text) => said.out.push(text),
    err: (text) => said.err.push(text),
    exit: (code) => {
      said.exit = code;
    },
    guard: (_spec, stop) => {
      said.stop = stop;
    },
    keepRunning: () => {
      said.keptRunning = true;
    },
  };
  return { proc, said };
}

function spec(start: MainSpec['start']): MainSpec {
  return {
    name: 'test server',
    help: 'Usage: test server',
    start,
    stopping: 'stopping',
    stopped: 'stopped',
    graceMs: 1000,
  };
}

const running: Running = { stop: async () => undefined };

describe('runMain', () => {
  it.each([['--help'], ['-h']])('%s prints the help and starts nothing', async (flag) => {
    const start = jest.fn(async () => running);
    const { proc, said } = fakeProcess([flag]);
    await runMain(spec(start), proc);
    expect(said.out).toEqual(['Usage: test server']);
    expect(start).not.toHaveBeenCalled();
    expect(said.exit).toBeUndefined();
  });

  it.each([[['--port', '5000']], [['serve']], [['-x']]])(
    'refuses the arguments %j with the usage and exit 64',
    async (argv) => {
      const start = jest.fn(async () => running);
      const { proc, said } = fakeProcess(argv);
      await runMain(spec(start), proc);
      expect(said.exit).toBe(EXIT_USAGE);
      expect(EXIT_USAGE).toBe(64);
      expect(said.err).toEqual([
        `unknown argument "${argv[0]}" (the test server is configured by environment; see --help)\n\nUsage: test server`,
      ]);
      expect(start).not.toHaveBeenCalled();
    },
  );

  it('starts with secrets read from their files (NAME_FILE), and refuses a missing one as a configuration error', async () => {
    const start = jest.fn(async () => running);
    const { proc } = fakeProcess([], { PETZI_API_KEY_FILE: __filename });
    await runMain(spec(start), proc);
    expect(start).toHaveBeenCalledWith(expect.objectContaining({ PETZI_API_KEY: expect.stringContaining('runMain') }));
    const refused = fakeProcess([], { PETZI_API_KEY_FILE: '/nonexistent/key' });
    const neverStarted = jest.fn(async () => running);
    await runMain(spec(neverStarted), refused.proc);
    expect(neverStarted).not.toHaveBeenCalled();
    expect(refused.said.err).toEqual([
      'Configuration error: PETZI_API_KEY_FILE names /nonexistent/key, which cannot be read (ENOENT)',
    ]);
    expect(refused.said.exit).toBe(1);
  });

  it('starts with the environment, guards the process, and a signal stops what was started', async () => {
    const stop = jest.fn(async () => undefined);
    const start = jest.fn(async () => ({ stop }));
    const { proc, said } = fakeProcess([], { PORT: '0' });
    await runMain(spec(start), proc);
    expect(start).toHaveBeenCalledWith({ PORT: '0' });
    expect(said.keptRunning).toBe(true);
    expect(said.exit).toBeUndefined();
    expect(said.err).toEqual([]);
    expect(stop).not.toHaveBeenCalled();
    await said.stop!();
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('has the signal handlers in place during the start: a stop then waits for the start to finish', async () => {
    let finishStart: (value: Running) => void = () => undefined;
    const stop = jest.fn(async () => undefined);
    const { proc, said } = fakeProcess();
    const main = runMain(
      spec(() => new Promise<Running>((resolve) => (finishStart = resolve))),
      proc,
    );
    expect(said.stop).toBeDefined();
    const stopping = said.stop!();
    expect(stop).not.toHaveBeenCalled();
    finishStart({ stop });
    await stopping;
    await main;
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['a taken port', new PortInUseError(5000), 'Port 5000 is already in use: set PORT to move the test server.'],
    [
      'a configuration error',
      new ConfigError('PORT must be an integer from 0 to 65535, got "x"'),
      'Configuration error: PORT must be an integer from 0 to 65535, got "x"',
    ],
    [
      'anything else',
      new Error('connect ECONNREFUSED 127.0.0.1:5432'),
      'test server failed to start: connect ECONNREFUSED 127.0.0.1:5432',
    ],
    ['a thrown string', 'boom', 'test server failed to start: boom'],
  ])('maps %s to one line and exit 1', async (_what, error, line) => {
    const { proc, said } = fakeProcess();
    await runMain(
      spec(async () => {
        throw error;
      }),
      proc,
    );
    expect(said.err).toEqual([line]);
    expect(said.exit).toBe(1);
  });
});
