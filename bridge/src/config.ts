import { AMQP_PROTOCOLS, DEFAULTS, POSTGRES_PROTOCOLS, readEnv, type Env, accessKeysFromEnv, resolveAccess, type Access } from '../../functions/src';
import { httpTimeoutsFromEnv, type HttpTimeouts, hostFromEnv } from '../../kit/src';

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

export function loadBridgeConfig(env: Env = process.env): BridgeConfig {
  const hostname = hostFromEnv(env);
  return {
    port: readEnv.port(env, 'PORT', { default: BRIDGE_DEFAULTS.port }),
    hostname,
    access: resolveAccess(accessKeysFromEnv(env), hostname, env),
    databaseUrl: readEnv.url(env, 'DATABASE_URL', { aliases: ['DATABASE_URI'], protocols: POSTGRES_PROTOCOLS, default: DEFAULTS.databaseUrl }),
    rabbitmqUrl: readEnv.url(env, 'RABBITMQ_URL', { aliases: ['RabbitMQConnection'], protocols: AMQP_PROTOCOLS, default: DEFAULTS.rabbitmqUrl }),
    topologyPrefix: readEnv.string(env, 'PETZI_TOPOLOGY_PREFIX', { aliases: ['BRIDGE_TOPOLOGY_PREFIX'], default: '' }),
    heartbeatMs: readEnv.int(env, 'BRIDGE_HEARTBEAT_MS', { min: 100, unit: 'milliseconds', default: BRIDGE_DEFAULTS.heartbeatMs }),
    clientBufferBytes: readEnv.int(env, 'BRIDGE_CLIENT_BUFFER_BYTES', { min: 1024, unit: 'bytes', default: BRIDGE_DEFAULTS.clientBufferBytes }),
    corsOrigins: readEnv.list(env, 'CORS_ORIGINS'),
    maxHistory: BRIDGE_DEFAULTS.maxHistory,
    httpTimeouts: httpTimeoutsFromEnv(env),
  };
}
