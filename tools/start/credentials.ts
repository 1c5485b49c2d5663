import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULTS, readEnv, type Env, randomSecret } from '../../functions/src';
import { TOKEN_PARAM } from '../../dashboard/server/src/login';
import { START_CREDENTIAL_VARIABLES } from './environment';

/**
 * npm start's credentials: the API key, the admin key and the dashboard password are generated on
 * the first run and kept in .data/credentials.json (mode 0600, readable by this user only); the
 * environment overrides each. The one-click login token is new on every run and kept nowhere.
 */
export interface StartCredentials {
  apiKey: string;
  adminKey: string;
  dashboardUser: string;
  dashboardPassword: string;
  loginToken: string;
  /** Where the generated ones are kept. */
  file: string;
}

interface Stored {
  apiKey: string;
  adminKey: string;
  dashboardPassword: string;
}

function isStored(value: unknown): value is Stored {
  const v = value as Partial<Stored> | null;
  return typeof v === 'object' && v !== null && [v.apiKey, v.adminKey, v.dashboardPassword].every((s) => typeof s === 'string' && s.length > 0);
}

function storedCredentials(file: string): Stored {
  if (existsSync(file)) {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isStored(parsed)) throw new Error(`${file} is not what npm start wrote: delete it to have new credentials generated`);
    // Whatever happened to the file since, it stays this user's only.
    chmodSync(file, 0o600);
    return parsed;
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const fresh: Stored = { apiKey: randomSecret(), adminKey: randomSecret(), dashboardPassword: randomSecret() };
  writeFileSync(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return fresh;
}

export function ensureCredentials(dataDir: string, env: Env): StartCredentials {
  const file = path.join(dataDir, 'credentials.json');
  const stored = storedCredentials(file);
  const v = START_CREDENTIAL_VARIABLES;
  // A rotation list is handed on whole, as given (without blanks).
  const keys = (list: string[], generated: string) => (list.length > 0 ? list.join(',') : generated);
  return {
    apiKey: keys(readEnv.read(env, v.PETZI_API_KEY), stored.apiKey),
    adminKey: keys(readEnv.read(env, v.PETZI_ADMIN_KEY), stored.adminKey),
    dashboardUser: readEnv.read(env, v.DASHBOARD_USER),
    dashboardPassword: readEnv.read(env, v.DASHBOARD_PASSWORD) ?? stored.dashboardPassword,
    loginToken: randomSecret(),
    file,
  };
}

/**
 * What each child is given: the functions host and the bridge check the keys, the dashboard holds
 * the login and adds the API key (and the admin key, to the redrive of dead letters only).
 */
export function credentialEnv(credentials: StartCredentials): { functions: Record<string, string>; bridge: Record<string, string>; dashboard: Record<string, string> } {
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

/** The banner's login lines: a one-click URL (Jupyter style, good once) and where the rest is kept; never a key or password. */
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
