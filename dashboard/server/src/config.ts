import path from 'node:path';
import {
  ACCESS_VARIABLES,
  accessKeysFromEnv,
  declareVariables,
  DEPLOYMENT_VARIABLES,
  readEnv,
  type Env,
  type Variable,
} from '../../../functions/src';
import { hostFromEnv, HTTP_TIMEOUT_VARIABLES, httpTimeoutsFromEnv, LISTEN_VARIABLES } from '../../../kit/src';
import { PUBLIC_ORIGIN_VARIABLES, publicOriginsFromEnv } from './hostNames';
import { LOGIN_VARIABLES, resolveDashboardLogin } from './login';
import { DASHBOARD_STREAM_DEFAULTS, type DashboardServerOptions } from './server';

export const DASHBOARD_DEFAULTS = {
  port: 8080,
  distDir: 'dashboard/dist',
  functionsUrl: 'http://127.0.0.1:5000',
  bridgeUrl: 'http://127.0.0.1:5001',
  loginFailuresPerMinute: 10,
  loginFailuresCeiling: 100,
  ...DASHBOARD_STREAM_DEFAULTS,
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
  BRIDGE_URL: {
    kind: 'url',
    protocols: HTTP,
    default: DASHBOARD_DEFAULTS.bridgeUrl,
    meaning: 'the SSE bridge it passes /events to (the Vite dev server too)',
  },
  DASHBOARD_DIST: {
    kind: 'string',
    default: DASHBOARD_DEFAULTS.distDir,
    meaning: 'the built app (npm run dashboard:build), relative to the current directory',
  },
  DASHBOARD_TRUST_PROXY: {
    kind: 'flag',
    meaning:
      "one reverse proxy in front (nginx): the login throttle counts the last X-Forwarded-For address instead of the proxy's",
  },
  DASHBOARD_LOGIN_FAILURES_PER_MINUTE: {
    kind: 'int',
    min: 1,
    unit: 'failed logins',
    default: DASHBOARD_DEFAULTS.loginFailuresPerMinute,
    meaning: 'failed logins per client address per minute, then that address waits',
  },
  DASHBOARD_LOGIN_FAILURES_CEILING: {
    kind: 'int',
    min: 1,
    unit: 'failed logins',
    default: DASHBOARD_DEFAULTS.loginFailuresCeiling,
    meaning:
      'failed logins per minute from all addresses; past it an address that failed once waits, one that has not still gets its login checked',
  },
  DASHBOARD_MAX_STREAMS: {
    kind: 'int',
    min: 1,
    unit: 'streams',
    default: DASHBOARD_DEFAULTS.maxStreams,
    meaning: 'live streams passed on at most; past it a 503 with Retry-After',
  },
  DASHBOARD_MAX_STREAMS_PER_SESSION: {
    kind: 'int',
    min: 1,
    unit: 'streams',
    default: DASHBOARD_DEFAULTS.maxStreamsPerSession,
    meaning: 'live streams per login session at most; past it a 503 with Retry-After',
  },
  DASHBOARD_CLIENT_BUFFER_BYTES: {
    kind: 'int',
    min: 1024,
    unit: 'bytes',
    default: DASHBOARD_DEFAULTS.clientBufferBytes,
    meaning: 'bytes a stream client may leave unread before it is cut off',
  },
});

const KEYS_HERE = {
  PETZI_API_KEY: {
    ...ACCESS_VARIABLES.PETZI_API_KEY,
    meaning: 'the key it adds (x-functions-key) to /api and /events: the first of the list',
    unset: 'none',
  },
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
  ...Object.values(PUBLIC_ORIGIN_VARIABLES),
  DASHBOARD_OWN_VARIABLES.DASHBOARD_TRUST_PROXY,
  DASHBOARD_OWN_VARIABLES.DASHBOARD_LOGIN_FAILURES_PER_MINUTE,
  DASHBOARD_OWN_VARIABLES.DASHBOARD_LOGIN_FAILURES_CEILING,
  DASHBOARD_OWN_VARIABLES.DASHBOARD_MAX_STREAMS,
  DASHBOARD_OWN_VARIABLES.DASHBOARD_MAX_STREAMS_PER_SESSION,
  DASHBOARD_OWN_VARIABLES.DASHBOARD_CLIENT_BUFFER_BYTES,
  ...Object.values(HTTP_TIMEOUT_VARIABLES),
  ...Object.values(DEPLOYMENT_VARIABLES),
];

/** The dashboard server's settings, read from the environment (see main.ts's --help). */
export function loadDashboardConfig(env: Env = process.env): DashboardServerOptions & { hostname: string } {
  const hostname = hostFromEnv(env);
  const keys = accessKeysFromEnv(env);
  const v = DASHBOARD_OWN_VARIABLES;
  return {
    port: readEnv.read(env, v.PORT),
    hostname,
    httpTimeouts: httpTimeoutsFromEnv(env),
    login: resolveDashboardLogin(env, hostname),
    apiKey: keys.functionKeys[0],
    adminKey: keys.adminKeys[0],
    distDir: path.resolve(readEnv.read(env, v.DASHBOARD_DIST)),
    functionsUrl: readEnv.read(env, v.FUNCTIONS_URL),
    bridgeUrl: readEnv.read(env, v.BRIDGE_URL),
    publicOrigins: publicOriginsFromEnv(env),
    trustProxy: readEnv.read(env, v.DASHBOARD_TRUST_PROXY),
    loginFailuresPerMinute: readEnv.read(env, v.DASHBOARD_LOGIN_FAILURES_PER_MINUTE),
    loginFailuresCeiling: readEnv.read(env, v.DASHBOARD_LOGIN_FAILURES_CEILING),
    maxStreams: readEnv.read(env, v.DASHBOARD_MAX_STREAMS),
    maxStreamsPerSession: readEnv.read(env, v.DASHBOARD_MAX_STREAMS_PER_SESSION),
    clientBufferBytes: readEnv.read(env, v.DASHBOARD_CLIENT_BUFFER_BYTES),
  };
}
