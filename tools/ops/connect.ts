import path from 'node:path';
import {
  FUNCTION_VARIABLES,
  loadConfig,
  readEnv,
  TOPOLOGY_VARIABLES,
  type Config,
  type Env,
  type Variable,
} from '../../functions/src';
import { START_OWN_VARIABLES } from '../start/environment';
import { readServices } from '../start/services';

/** The pipeline's services cannot be found or reached: exit 3. */
export class UnreachableError extends Error {
  override name = 'UnreachableError';
}

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * Where npm run ops connects, in the order its --help lists them; it reads the functions' other variables too
 * (loadConfig).
 */
export const OPS_VARIABLES: readonly Variable[] = [
  { ...FUNCTION_VARIABLES.DATABASE_URL, unset: 'the Postgres a running npm start recorded in .data/services.json' },
  { ...FUNCTION_VARIABLES.RABBITMQ_URL, unset: 'the broker a running npm start recorded in .data/services.json' },
  START_OWN_VARIABLES.PETZI_DATA_DIR,
  TOPOLOGY_VARIABLES.PETZI_TOPOLOGY_PREFIX,
];

/**
 * The functions' configuration for the CLI: DATABASE_URL and RABBITMQ_URL when set, else the
 * services a running `npm start` recorded in .data/services.json.
 */
export function cliConfig(env: Env, root = ROOT): { config: Config; source: string } {
  if (readEnv.readText(env, FUNCTION_VARIABLES.DATABASE_URL) !== undefined)
    return { config: loadConfig(env), source: 'DATABASE_URL' };
  const dataDir = path.resolve(root, readEnv.read(env, START_OWN_VARIABLES.PETZI_DATA_DIR));
  const recorded = readServices(dataDir);
  if (!recorded) {
    throw new UnreachableError(
      `no database: set DATABASE_URL (and RABBITMQ_URL), or run \`npm start\` (it records its services in ${path.join(dataDir, 'services.json')})`,
    );
  }
  return {
    config: loadConfig({
      ...env,
      DATABASE_URL: recorded.databaseUrl,
      RABBITMQ_URL: readEnv.readText(env, FUNCTION_VARIABLES.RABBITMQ_URL) ?? recorded.rabbitmqUrl,
    }),
    source: `npm start (pid ${recorded.pid})`,
  };
}

/** PETZI_TOPOLOGY_PREFIX: the prefix of the queues, when the pipeline uses one. */
export function cliTopologyPrefix(env: Env): string | undefined {
  return readEnv.read(env, TOPOLOGY_VARIABLES.PETZI_TOPOLOGY_PREFIX);
}
