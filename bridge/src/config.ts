import { ConfigError, DEFAULTS, first, type Env, accessKeysFromEnv, resolveAccess, type Access, httpTimeoutsFromEnv, type HttpTimeouts, hostFromEnv } from '../../functions/src';

/** The SSE bridge's settings, read from the environment; shares DATABASE_URL / RABBITMQ_URL with the functions. */
export interface BridgeConfig {
  port: number;
  /** HOST; default 127.0.0.1. */
  hostname: string;
  /** The key /events asks for (PETZI_API_KEY, as on the host). */
  access: Access;
  databaseUrl: string;
  rabbitmqUrl: string;
  /** Exchange/queue name prefix; empty in production, one per test. */
  topologyPrefix: string;
  heartbeatMs: number;
  /** Bytes a client may leave unread (socket + response buffer) before it is disconnected. */
  clientBufferBytes: number;
  /** CORS_ORIGINS: origins allowed cross-origin; none by default. */
  corsOrigins: string[];
  /** Largest accepted `?history=N`. */
  maxHistory: number;
  /** The same limits on slow and idle clients as the functions host (HTTP_*_TIMEOUT_MS). */
  httpTimeouts: HttpTimeouts;
}

export const BRIDGE_DEFAULTS = {
  port: 5001,
  heartbeatMs: 15_000,
  clientBufferBytes: 1024 * 1024,
  maxHistory: 1000,
} as const;


function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = first(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

export function loadBridgeConfig(env: Env = process.env): BridgeConfig {
  const hostname = hostFromEnv(env);
  return {
    port: integer(env, 'PORT', BRIDGE_DEFAULTS.port, 0, 65535),
    hostname,
    access: resolveAccess(accessKeysFromEnv(env), hostname, env),
    databaseUrl: first(env, 'DATABASE_URL', 'DATABASE_URI') ?? DEFAULTS.databaseUrl,
    rabbitmqUrl: first(env, 'RABBITMQ_URL', 'RabbitMQConnection') ?? DEFAULTS.rabbitmqUrl,
    topologyPrefix: first(env, 'PETZI_TOPOLOGY_PREFIX', 'BRIDGE_TOPOLOGY_PREFIX') ?? '',
    heartbeatMs: integer(env, 'BRIDGE_HEARTBEAT_MS', BRIDGE_DEFAULTS.heartbeatMs, 100),
    clientBufferBytes: integer(env, 'BRIDGE_CLIENT_BUFFER_BYTES', BRIDGE_DEFAULTS.clientBufferBytes, 1024),
    corsOrigins: (first(env, 'CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter((o) => o.length > 0),
    maxHistory: BRIDGE_DEFAULTS.maxHistory,
    httpTimeouts: httpTimeoutsFromEnv(env),
  };
}
