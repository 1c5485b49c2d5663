import path from 'node:path';
import { ACCESS_VARIABLES, accessKeysFromEnv, declareVariables, DEPLOYMENT_VARIABLES, readEnv, type Env, type Variable } from '../../../functions/src';
import { hostFromEnv, HTTP_TIMEOUT_VARIABLES, httpTimeoutsFromEnv, LISTEN_VARIABLES } from '../../../kit/src';
import { LOGIN_VARIABLES, resolveDashboardLogin } from './login';
import type { DashboardServerOptions } from './server';

export const DASHBOARD_DEFAULTS = {
  port: 8080,
  distDir: 'dashboard/dist',
  functionsUrl: 'http://127.0.0.1:5000',
  bridgeUrl: 'http://127.0.0.1:5001',
} as const;

const HTTP = ['http', 'https'] as const;

export const DASHBOARD_OWN_VARIABLES = declareVariables({
  PORT: { kind: 'port', default: DASHBOARD_DEFAULTS.port, meaning: 'the port it listens on' },
  FUNCTIONS_URL: {
    kind: 'url',
    protocols: HTTP,
    default: DASHBOARD_DEFAULTS.functionsUrl,
    meaning: 'the functions host it passes /api to (the Vite dev server too)',
  },
  BRIDGE_URL: { kind: 'url', protocols: HTTP, default: DASHBOARD_DEFAULTS.bridgeUrl, meaning: 'the SSE bridge it passes /events to (the Vite dev server too)' },
  DASHBOARD_DIST: {
    kind: 'string',
    default: DASHBOARD_DEFAULTS.distDir,
    meaning: 'the built app (npm run dashboard:build), relative to the current directory',
  },
});

const KEYS_HERE = {
  PETZI_API_KEY: { ...ACCESS_VARIABLES.PETZI_API_KEY, meaning: 'the key it adds (x-functions-key) to /api and /events: the first of the list', unset: 'none' },
  PETZI_ADMIN_KEY: {
    ...ACCESS_VARIABLES.PETZI_ADMIN_KEY,
    meaning: 'the key it adds to POST /api/dead-letters/redrive only: the first of the list',
    unset: 'the redrive answers 403',
  },
};

/** Every variable the dashboard server reads, in the order its --help lists them. */
export const DASHBOARD_VARIABLES: readonly Variable[] = [
  DASHBOARD_OWN_VARIABLES.PORT,
  LISTEN_VARIABLES.HOST,
  ...Object.values(LOGIN_VARIABLES),
  KEYS_HERE.PETZI_API_KEY,
  KEYS_HERE.PETZI_ADMIN_KEY,
  DASHBOARD_OWN_VARIABLES.FUNCTIONS_URL,
  DASHBOARD_OWN_VARIABLES.BRIDGE_URL,
  DASHBOARD_OWN_VARIABLES.DASHBOARD_DIST,
  ...Object.values(HTTP_TIMEOUT_VARIABLES),
  ...Object.values(DEPLOYMENT_VARIABLES),
];

/** The dashboard server's settings, read from the environment (see main.ts's --help). */
export function loadDashboardConfig(env: Env = process.env): DashboardServerOptions & { hostname: string } {
  const hostname = hostFromEnv(env);
  const keys = accessKeysFromEnv(env);
  return {
    port: readEnv.read(env, DASHBOARD_OWN_VARIABLES.PORT),
    hostname,
    httpTimeouts: httpTimeoutsFromEnv(env),
    login: resolveDashboardLogin(env, hostname),
    apiKey: keys.functionKeys[0],
    adminKey: keys.adminKeys[0],
    distDir: path.resolve(readEnv.read(env, DASHBOARD_OWN_VARIABLES.DASHBOARD_DIST)),
    functionsUrl: readEnv.read(env, DASHBOARD_OWN_VARIABLES.FUNCTIONS_URL),
    bridgeUrl: readEnv.read(env, DASHBOARD_OWN_VARIABLES.BRIDGE_URL),
  };
}
