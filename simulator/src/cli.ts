#!/usr/bin/env node
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../../functions/src';
import { parseArgs, USAGE, UsageError } from './args';
import { todayUtc } from './payloads';
import type { OutputStream } from './progress';
import { freshSeed } from './random';
import { reportJson, reportOk, reportText, type RunReport } from './report';
import { runInvalid, runValid, UnreachableError } from './runs';
import { createSender } from './send';

/** Exit statuses; 64 is EX_USAGE from sysexits.h. */
const EXIT = { ok: 0, unexpected: 1, unreachable: 2, usage: 64 } as const;

export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Wall clock in ms; injectable for tests. */
  now?: () => number;
}

const NAME = 'petzi-simulator';

/** The whole CLI as a function: argv in, exit status out. Tests call it in-process. */
export async function run(
  argv: readonly string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${NAME}: ${error.message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (parsed.kind === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const options = parsed.options;
  const now = io.now ?? Date.now;
  const deps = {
    sender: createSender(options.url, options.timeoutSeconds * 1000),
    now,
    monotonic: () => performance.now(),
    sleep: (ms: number) => sleep(ms),
    progress: io.stderr,
  };
  const seed = options.seed ?? freshSeed();
  const date = options.date ?? todayUtc(now());

  let report: RunReport;
  try {
    report = options.invalid
      ? await runInvalid(
          { url: options.url, secret: options.secret, seed, date, maxBodyBytes: options.maxBodyBytes },
          deps,
        )
      : await runValid({ ...options, seed, date }, deps);
  } catch (error) {
    if (error instanceof UnreachableError) {
      io.stderr.write(
        `${NAME}: ${error.message}\nIs the receiver running at that address? (npm run host starts the local one on :5000)\n`,
      );
      if (options.json)
        io.stdout.write(
          `${JSON.stringify({ ok: false, url: options.url, unreachable: true, error: error.message })}\n`,
        );
      return EXIT.unreachable;
    }
    io.stderr.write(`${NAME}: ${errorMessage(error)}\n`);
    return EXIT.unexpected;
  }

  io.stdout.write(options.json ? `${JSON.stringify(reportJson(report))}\n` : reportText(report));
  return reportOk(report) ? EXIT.ok : EXIT.unexpected;
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${NAME}: ${errorMessage(error)}\n`);
      process.exitCode = EXIT.unexpected;
    },
  );
}
