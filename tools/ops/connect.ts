import path from 'node:path';
import { loadConfig, type Config, type Env } from '../../functions/src';
import { readServices } from '../start/services';

/** The pipeline's services cannot be found or reached: exit 3. */
export class UnreachableError extends Error {
  override name = 'UnreachableError';
}

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The functions' configuration for the CLI: DATABASE_URL and RABBITMQ_URL when set, else the
 * services a running `npm start` recorded in .data/services.json.
 */
export function cliConfig(env: Env, root = ROOT): { config: Config; source: string } {
  if (env.DATABASE_URL?.trim()) return { config: loadConfig(env), source: 'DATABASE_URL' };
  const dataDir = path.resolve(root, env.PETZI_DATA_DIR ?? '.data');
  const recorded = readServices(dataDir);
  if (!recorded) {
    throw new UnreachableError(`no database: set DATABASE_URL (and RABBITMQ_URL), or run \`npm start\` (it records its services in ${path.join(dataDir, 'services.json')})`);
  }
  return {
    config: loadConfig({ ...env, DATABASE_URL: recorded.databaseUrl, RABBITMQ_URL: env.RABBITMQ_URL ?? recorded.rabbitmqUrl }),
    source: `npm start (pid ${recorded.pid})`,
  };
}
