import path from 'node:path';
import { accessKeysFromEnv, hostFromEnv, httpTimeoutsFromEnv, readEnv, type Env } from '../../../functions/src';
import { publicOriginsFromEnv } from './hostNames';
import { resolveDashboardLogin } from './login';
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

/** The dashboard server's settings, read from the environment (see main.ts's --help). */
export function loadDashboardConfig(env: Env = process.env): DashboardServerOptions & { hostname: string } {
  const hostname = hostFromEnv(env);
  const keys = accessKeysFromEnv(env);
  const count = (name: string, unit: string, fallback: number): number => readEnv.int(env, name, { min: 1, unit, default: fallback });
  return {
    port: readEnv.port(env, 'PORT', { default: DASHBOARD_DEFAULTS.port }),
    hostname,
    httpTimeouts: httpTimeoutsFromEnv(env),
    login: resolveDashboardLogin(env, hostname),
    apiKey: keys.functionKeys[0],
    adminKey: keys.adminKeys[0],
    distDir: path.resolve(readEnv.string(env, 'DASHBOARD_DIST', { default: DASHBOARD_DEFAULTS.distDir })),
    functionsUrl: readEnv.url(env, 'FUNCTIONS_URL', { protocols: HTTP, default: DASHBOARD_DEFAULTS.functionsUrl }),
    bridgeUrl: readEnv.url(env, 'BRIDGE_URL', { protocols: HTTP, default: DASHBOARD_DEFAULTS.bridgeUrl }),
    publicOrigins: publicOriginsFromEnv(env),
    trustProxy: readEnv.flag(env, 'DASHBOARD_TRUST_PROXY'),
    loginFailuresPerMinute: count('DASHBOARD_LOGIN_FAILURES_PER_MINUTE', 'failed logins', DASHBOARD_DEFAULTS.loginFailuresPerMinute),
    loginFailuresCeiling: count('DASHBOARD_LOGIN_FAILURES_CEILING', 'failed logins', DASHBOARD_DEFAULTS.loginFailuresCeiling),
    maxStreams: count('DASHBOARD_MAX_STREAMS', 'streams', DASHBOARD_DEFAULTS.maxStreams),
    maxStreamsPerSession: count('DASHBOARD_MAX_STREAMS_PER_SESSION', 'streams', DASHBOARD_DEFAULTS.maxStreamsPerSession),
    clientBufferBytes: readEnv.int(env, 'DASHBOARD_CLIENT_BUFFER_BYTES', { min: 1024, unit: 'bytes', default: DASHBOARD_DEFAULTS.clientBufferBytes }),
  };
}
