import {
  ACCESS_VARIABLES,
  declareVariables,
  DEPLOYMENT_VARIABLES,
  FUNCTION_VARIABLES,
  TOPOLOGY_VARIABLES,
  readEnv,
  type Env,
  type Variable,
  accessKeysFromEnv,
  resolveAccess,
  type Access,
} from '../../functions/src';
import {
  HTTP_TIMEOUT_VARIABLES,
  LISTEN_VARIABLES,
  httpTimeoutsFromEnv,
  type HttpTimeouts,
  hostFromEnv,
  type SlotLimits,
} from '../../kit/src';

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
  /**
   * Open streams at most, overall and per API key (keyless clients of an open bridge count as one key); past either,
   * 503.
   */
  maxStreams: SlotLimits;
}

export const BRIDGE_DEFAULTS = {
  port: 5001,
  heartbeatMs: 15_000,
  clientBufferBytes: 1024 * 1024,
  maxHistory: 1000,
  maxStreams: 4000,
  maxStreamsPerKey: 2000,
} as const;

export const BRIDGE_OWN_VARIABLES = declareVariables({
  PORT: { kind: 'port', default: BRIDGE_DEFAULTS.port, meaning: 'the port it listens on' },
  DATABASE_URL: {
    ...FUNCTION_VARIABLES.DATABASE_URL,
    meaning: "the functions' database: live_event is read for resume and gap fills",
  },
  RABBITMQ_URL: { ...FUNCTION_VARIABLES.RABBITMQ_URL, meaning: "the functions' broker" },
  PETZI_TOPOLOGY_PREFIX: {
    ...TOPOLOGY_VARIABLES.PETZI_TOPOLOGY_PREFIX,
    aliases: ['BRIDGE_TOPOLOGY_PREFIX'],
    default: '',
    unset: 'none',
  },
  BRIDGE_HEARTBEAT_MS: {
    kind: 'int',
    min: 100,
    unit: 'milliseconds',
    default: BRIDGE_DEFAULTS.heartbeatMs,
    meaning: 'interval of the ": heartbeat" comment that keeps proxies from closing an idle stream',
  },
  BRIDGE_CLIENT_BUFFER_BYTES: {
    kind: 'int',
    min: 1024,
    unit: 'bytes',
    default: BRIDGE_DEFAULTS.clientBufferBytes,
    meaning: 'unread bytes a client may fall behind before it is disconnected',
  },
  BRIDGE_MAX_STREAMS: {
    kind: 'int',
    min: 1,
    unit: 'streams',
    default: BRIDGE_DEFAULTS.maxStreams,
    meaning: 'open /events streams at most; past it a 503 with Retry-After',
  },
  BRIDGE_MAX_STREAMS_PER_KEY: {
    kind: 'int',
    min: 1,
    unit: 'streams',
    default: BRIDGE_DEFAULTS.maxStreamsPerKey,
    meaning:
      'open /events streams at most per API key (keyless clients of an open bridge share one count); past it a 503 with Retry-After',
  },
  CORS_ORIGINS: {
    kind: 'list',
    meaning: 'origins allowed to read the stream cross-origin, comma-separated',
    unset: 'no CORS header at all',
  },
});

/** Every variable the bridge reads, in the order its --help lists them. */
export const BRIDGE_VARIABLES: readonly Variable[] = [
  BRIDGE_OWN_VARIABLES.PORT,
  LISTEN_VARIABLES.HOST,
  ...Object.values(ACCESS_VARIABLES),
  BRIDGE_OWN_VARIABLES.CORS_ORIGINS,
  BRIDGE_OWN_VARIABLES.DATABASE_URL,
  BRIDGE_OWN_VARIABLES.RABBITMQ_URL,
  BRIDGE_OWN_VARIABLES.PETZI_TOPOLOGY_PREFIX,
  BRIDGE_OWN_VARIABLES.BRIDGE_HEARTBEAT_MS,
  BRIDGE_OWN_VARIABLES.BRIDGE_CLIENT_BUFFER_BYTES,
  BRIDGE_OWN_VARIABLES.BRIDGE_MAX_STREAMS,
  BRIDGE_OWN_VARIABLES.BRIDGE_MAX_STREAMS_PER_KEY,
  ...Object.values(HTTP_TIMEOUT_VARIABLES),
  ...Object.values(DEPLOYMENT_VARIABLES),
];

export function loadBridgeConfig(env: Env = process.env): BridgeConfig {
  const hostname = hostFromEnv(env);
  const v = BRIDGE_OWN_VARIABLES;
  return {
    port: readEnv.read(env, v.PORT),
    hostname,
    access: resolveAccess(accessKeysFromEnv(env), hostname, env),
    databaseUrl: readEnv.read(env, v.DATABASE_URL),
    rabbitmqUrl: readEnv.read(env, v.RABBITMQ_URL),
    topologyPrefix: readEnv.read(env, v.PETZI_TOPOLOGY_PREFIX),
    heartbeatMs: readEnv.read(env, v.BRIDGE_HEARTBEAT_MS),
    clientBufferBytes: readEnv.read(env, v.BRIDGE_CLIENT_BUFFER_BYTES),
    corsOrigins: readEnv.read(env, v.CORS_ORIGINS),
    maxHistory: BRIDGE_DEFAULTS.maxHistory,
    httpTimeouts: httpTimeoutsFromEnv(env),
    maxStreams: {
      overall: readEnv.read(env, v.BRIDGE_MAX_STREAMS),
      perHolder: readEnv.read(env, v.BRIDGE_MAX_STREAMS_PER_KEY),
    },
  };
}
