import path from 'node:path';
import { accessKeysFromEnv, readEnv, type Env } from '../../../functions/src';
import { hostFromEnv, httpTimeoutsFromEnv } from '../../../kit/src';
import { resolveDashboardLogin } from './login';
import type { DashboardServerOptions } from './server';

export const DASHBOARD_DEFAULTS = {
  port: 8080,
  distDir: 'dashboard/dist',
  functionsUrl: 'http://127.0.0.1:5000',
  bridgeUrl: 'http://127.0.0.1:5001',
} as const;

const HTTP = ['http', 'https'] as const;

/** The dashboard server's settings, read from the environment (see main.ts's --help). */
export function loadDashboardConfig(env: Env = process.env): DashboardServerOptions & { hostname: string } {
  const hostname = hostFromEnv(env);
  const keys = accessKeysFromEnv(env);
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
  };
}
