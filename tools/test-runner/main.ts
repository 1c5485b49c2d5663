import { spawn } from 'node:child_process';
import path from 'node:path';
import { CHECKS, runChecks } from './checks';
import { installingAllowed } from '../provision/install';
import { onStopRequest } from '../provision/stopRequest';
import { TEST_VARIABLES } from '../provision/environment';
import { provisionTestServices, type TestServices } from '../provision/testServices';
import { readEnv } from '../../functions/src';

const ROOT = path.resolve(__dirname, '..', '..', '..');

const HELP = `Usage: npm test [-- --no-install] [--no-checks] [jest arguments, e.g. a test file]

First runs npm run typecheck (tsc, vue-tsc) and npm run lint (eslint, prettier --check): any error
ends the run there. Then runs jest (--runInBand) against real services, provisioning what does not answer:
  Postgres   TEST_DATABASE_URL (default postgres://postgres:postgres@127.0.0.1:5432/postgres),
             else an embedded PostgreSQL on a free port
  RabbitMQ   TEST_RABBITMQ_URL (default amqp://guest:guest@127.0.0.1:5672, management UI at
             TEST_RABBITMQ_MANAGEMENT_URL, default http://127.0.0.1:15672), else a private node of an
             installed rabbitmq-server with the management plugin on free ports, else a container
             of a local rabbitmq image, else Debian's rabbitmq-server installed (root or sudo -n)
  Chromium   CHROMIUM_PATH, else /usr/bin/chromium, else playwright's cache, else installed likewise
What it started it stops at the end, also after a failed run, Ctrl-C, SIGTERM or SIGHUP.
--no-install or PETZI_NO_INSTALL=1: never install a package.
--no-checks: skip typecheck and lint (a quick subset while iterating; CI never skips them).

Environment (the tests get the services' URLs through the same variables):
${readEnv.variablesHelp(TEST_VARIABLES)}`;

function log(message: string): void {
  console.log(`[test]       ${message}`);
}

function runJest(args: string[], env: Record<string, string>, stopRequested: Promise<string>): Promise<number> {
  const jest = require.resolve('jest/bin/jest', { paths: [ROOT] });
  const child = spawn(process.execPath, [jest, '--runInBand', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  // In a terminal jest gets the Ctrl-C itself; a signal sent to us alone is passed on.
  void stopRequested.then(() => child.exitCode === null && child.signalCode === null && child.kill('SIGTERM'));
  return new Promise((resolve) => {
    child.once('error', () => resolve(1));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  let reason: string | undefined;
  const stopRequested = new Promise<string>((resolve) => onStopRequest((r) => resolve((reason = r))));
  let services: TestServices | undefined;
  try {
    if (!args.includes('--no-checks')) {
      const failure = await runChecks(CHECKS, { cwd: ROOT, env: process.env, stopRequested }, log);
      if (reason) return 130;
      if (failure) {
        console.error(
          `\nnpm test: \`npm run ${failure.script}\` failed (exit ${failure.code}); no service was started and no test ran.\n` +
            `Fix what it reported above (\`npm run format\` rewrites the files prettier lists), or pass --no-checks to run the tests anyway.`,
        );
        return failure.code;
      }
    }
    services = await provisionTestServices(
      process.env,
      { allowed: installingAllowed(args, process.env), logDir: path.join(ROOT, '.data'), env: process.env },
      log,
    );
    if (reason) return 130;
    const code = await runJest(
      args.filter((a) => a !== '--no-install' && a !== '--no-checks'),
      services.env,
      stopRequested,
    );
    return reason ? Math.max(code, 1) : code;
  } finally {
    if (services) {
      log(
        reason
          ? `${reason}: stopping the services started for the tests`
          : 'stopping the services started for the tests',
      );
      await services.stop();
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `\nnpm test could not provision its services: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
