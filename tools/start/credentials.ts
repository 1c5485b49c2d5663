import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULTS, readEnv, type Env, randomSecret } from '../../functions/src';
import { TOKEN_PARAM } from '../../dashboard/server/src/login';
import { ensureDataDir } from '../provision/privateDir';
import { PIPELINE_BROKER_USER, type BrokerUser } from '../provision/rabbitmqUser';
import { START_CREDENTIAL_VARIABLES } from './environment';

/**
 * npm start's credentials: the API key, the admin key, the dashboard password, the embedded
 * Postgres's superuser password and the pipeline's RabbitMQ user are generated on the first run and
 * kept in .data/credentials.json (mode 0600, readable by this user only); the environment overrides
 * the first three. The one-click login token is new on every run and kept nowhere.
 */
export interface StartCredentials {
  apiKey: string;
  adminKey: string;
  dashboardUser: string;
  dashboardPassword: string;
  /** The embedded Postgres's superuser (postgres) password. */
  postgresPassword: string;
  /** The one user of the RabbitMQ node or container npm start starts. */
  rabbitmq: BrokerUser;
  loginToken: string;
  /** Where the generated ones are kept. */
  file: string;
}

/** What credentials.json holds. A file of an earlier version lacks the later entries: they are added in place. */
interface Stored {
  apiKey: string;
  adminKey: string;
  dashboardPassword: string;
  postgresPassword: string;
  rabbitmqUser: string;
  rabbitmqPassword: string;
}

const FIRST_ENTRIES = ['apiKey', 'adminKey', 'dashboardPassword'] as const;

function generated(): Stored {
  return {
    apiKey: randomSecret(),
    adminKey: randomSecret(),
    dashboardPassword: randomSecret(),
    postgresPassword: randomSecret(),
    rabbitmqUser: PIPELINE_BROKER_USER,
    rabbitmqPassword: randomSecret(),
  };
}

const isEntry = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** The stored entries, completed with fresh ones where missing, or undefined when the file is not npm start's. */
function completed(value: unknown): { stored: Stored; added: string[] } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const found = value as Record<string, unknown>;
  const stored = generated();
  const added: string[] = [];
  for (const key of Object.keys(stored) as Array<keyof Stored>) {
    const kept = found[key];
    if (isEntry(kept)) stored[key] = kept;
    else if (kept === undefined && !(FIRST_ENTRIES as readonly string[]).includes(key)) added.push(key);
    else return undefined;
  }
  return { stored, added };
}

/** Replaces the file in one step (write aside, then rename), 0600 from the start. */
function writeStored(file: string, stored: Stored, flag: 'wx' | 'w'): void {
  const text = `${JSON.stringify(stored, null, 2)}\n`;
  if (flag === 'wx') return writeFileSync(file, text, { mode: 0o600, flag });
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, text, { mode: 0o600, flag: 'wx' });
  renameSync(aside, file);
}

function storedCredentials(file: string, log: (message: string) => void): Stored {
  if (existsSync(file)) {
    const found = completed(JSON.parse(readFileSync(file, 'utf8')));
    if (!found) throw new Error(`${file} is not what npm start wrote: delete it to have new credentials generated`);
    // Whatever happened to the file since, it stays this user's only.
    chmodSync(file, 0o600);
    if (found.added.length > 0) {
      writeStored(file, found.stored, 'w');
      log(`credentials: added ${found.added.join(', ')} to ${file}`);
    }
    return found.stored;
  }
  ensureDataDir(path.dirname(file));
  const fresh = generated();
  writeStored(file, fresh, 'wx');
  return fresh;
}

export function ensureCredentials(
  dataDir: string,
  env: Env,
  log: (message: string) => void = () => undefined,
): StartCredentials {
  const file = path.join(dataDir, 'credentials.json');
  const stored = storedCredentials(file, log);
  const v = START_CREDENTIAL_VARIABLES;
  // A rotation list is handed on whole, as given (without blanks).
  const keys = (list: string[], generated: string) => (list.length > 0 ? list.join(',') : generated);
  return {
    apiKey: keys(readEnv.read(env, v.PETZI_API_KEY), stored.apiKey),
    adminKey: keys(readEnv.read(env, v.PETZI_ADMIN_KEY), stored.adminKey),
    dashboardUser: readEnv.read(env, v.DASHBOARD_USER),
    dashboardPassword: readEnv.read(env, v.DASHBOARD_PASSWORD) ?? stored.dashboardPassword,
    postgresPassword: stored.postgresPassword,
    rabbitmq: { name: stored.rabbitmqUser, password: stored.rabbitmqPassword },
    loginToken: randomSecret(),
    file,
  };
}

/**
 * What each child is given: the functions host and the bridge check the keys, the dashboard holds
 * the login and adds the API key (and the admin key, to the redrive of dead letters only).
 */
export function credentialEnv(credentials: StartCredentials): {
  functions: Record<string, string>;
  bridge: Record<string, string>;
  dashboard: Record<string, string>;
} {
  const keys = { PETZI_API_KEY: credentials.apiKey };
  return {
    functions: { ...keys, PETZI_ADMIN_KEY: credentials.adminKey },
    bridge: keys,
    dashboard: {
      ...keys,
      PETZI_ADMIN_KEY: credentials.adminKey,
      DASHBOARD_USER: credentials.dashboardUser,
      DASHBOARD_PASSWORD: credentials.dashboardPassword,
      DASHBOARD_LOGIN_TOKEN: credentials.loginToken,
    },
  };
}

/**
 * The banner's login lines: a one-click URL (Jupyter style, good once) and where the rest is kept; never a key or
 * password.
 */
export function loginLines(dashboardUrl: string, credentials: StartCredentials): string[] {
  return [
    `  log in      ${dashboardUrl}/?${TOKEN_PARAM}=${credentials.loginToken}   (one click, once)`,
    `              then user "${credentials.dashboardUser}", password and API keys in ${credentials.file}`,
  ];
}

/**
 * The banner's "Try it" line, which never shows the webhook secret: with the example secret the
 * simulator's default signs right; with a real one the line names the variable instead.
 */
export function tryItLine(webhookUrl: string, secrets: string): string {
  const list = secrets.split(',').map((s) => s.trim());
  const secretArg = list[0] === DEFAULTS.secret ? '' : ' "$PETZI_WEBHOOK_SECRET"';
  return `Try it:  npm run simulate -- ${webhookUrl}${secretArg} --count 20 --event mixed`;
}
