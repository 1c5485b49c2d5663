import { silentLogger } from '../../functions/src';
import { startBridge, type RunningBridge } from '../../bridge/src/bridge';
import { loadBridgeConfig } from '../../bridge/src/config';
import type { DashboardLogin } from '../../dashboard/server/src/login';
import { startDashboardServer, type RunningDashboardServer } from '../../dashboard/server/src/server';
import { DASHBOARD_DIST } from './browser';
import { TEST_RABBITMQ_URL } from './env';
import { startTestStack, type TestStack } from './host';

export interface DashboardStack {
  stack: TestStack;
  bridge: RunningBridge;
  dashboard: RunningDashboardServer;
  /** Stops the dashboard server, the bridge, then the stack (its database and topology dropped). */
  stop(): Promise<void>;
}

/**
 * The whole private path a browser takes: an in-process functions host and an SSE bridge that
 * both require PETZI_API_KEY (and PETZI_ADMIN_KEY for the host, when given), and the production
 * dashboard server holding those keys and a login, over the built app.
 */
export async function startDashboardStack(options: {
  apiKey: string;
  adminKey?: string;
  login: DashboardLogin;
}): Promise<DashboardStack> {
  const env: Record<string, string> = {
    PETZI_API_KEY: options.apiKey,
    ...(options.adminKey ? { PETZI_ADMIN_KEY: options.adminKey } : {}),
  };
  const stack = await startTestStack({ env });
  const config = loadBridgeConfig({
    DATABASE_URL: stack.db.url,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    PETZI_TOPOLOGY_PREFIX: stack.prefix,
    PETZI_API_KEY: options.apiKey,
  });
  const bridge = await startBridge({ config, port: 0, log: silentLogger, processMetrics: false });
  const dashboard = await startDashboardServer({
    port: 0,
    distDir: DASHBOARD_DIST,
    functionsUrl: stack.url,
    bridgeUrl: bridge.url,
    apiKey: options.apiKey,
    adminKey: options.adminKey,
    login: options.login,
  });
  return {
    stack,
    bridge,
    dashboard,
    async stop() {
      await dashboard.stop();
      await bridge.stop();
      await stack.stop();
    },
  };
}
