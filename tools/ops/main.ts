import {
  ConfigError,
  QueryParamError,
  UnknownDeadLettersError,
  consoleLogger,
  type Logger,
  DatabaseUnavailableError,
  errorMessage,
  BrokerUnavailableError,
} from '../../functions/src';
import { parseArgs, UsageError } from './args';
import { runCommand } from './commands';
import { cliConfig, cliTopologyPrefix, UnreachableError } from './connect';
import { helpText } from './help';

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, notFound: 4 } as const;

/** The service's parameter names, as the command line spells them. */
const FLAG: Record<string, string> = { fromId: '--from-id', toId: '--to-id', ids: 'the dead letter ids', all: '--all' };

/** `npm run ops -- …`: returns the exit code; prints results on stdout, problems on stderr. */
export async function ops(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  log: Logger = { ...consoleLogger, info: () => undefined },
): Promise<number> {
  try {
    const command = parseArgs(argv);
    if (command.name === 'help') {
      process.stdout.write(helpText(command.topic));
      return EXIT.ok;
    }
    const { config } = cliConfig(env);
    await runCommand(
      command,
      config,
      { out: (text) => process.stdout.write(`${text}\n`), err: process.stderr },
      log,
      cliTopologyPrefix(env),
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) return fail(EXIT.usage, error.message);
    if (error instanceof QueryParamError)
      return fail(EXIT.usage, `${FLAG[error.param] ?? `--${error.param}`}: ${error.message}`);
    if (error instanceof UnknownDeadLettersError) return fail(EXIT.notFound, `${error.message}; nothing redriven`);
    if (
      error instanceof UnreachableError ||
      error instanceof DatabaseUnavailableError ||
      error instanceof BrokerUnavailableError
    )
      return fail(EXIT.unreachable, error.message);
    return fail(EXIT.failed, `ops failed: ${errorMessage(error)}`);
  }
}

function fail(code: number, message: string): number {
  process.stderr.write(`${message}\n`);
  return code;
}

if (require.main === module) {
  void ops(process.argv.slice(2)).then((code) => process.exit(code));
}
