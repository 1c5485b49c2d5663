import { ConfigError } from './errors';
import { declareVariables, read, type Env } from './env';

/**
 * Configuration read from the environment (or `Values` in local.settings.json, which the
 * Functions host exports as environment variables). The seed POC's names are accepted as
 * aliases so an old `.env` keeps working.
 */
export interface Config {
  /** Accepted secrets; the first one signs (simulator), any one verifies (rotation). */
  secrets: string[];
  toleranceSeconds: number;
  databaseUrl: string;
  rabbitmqUrl: string;
  maxBodyBytes: number;
  /** Rows younger than this are left to the request that stored them before the outbox takes them. */
  outboxGraceSeconds: number;
  /** RAW_RETENTION_DAYS: stored webhooks older than this lose their buyer's personal fields; unset, never. */
  rawRetentionDays?: number;
  /** ATTEMPT_RETENTION_DAYS: the delivery log keeps requests this many days (default 14). */
  attemptRetentionDays: number;
  /** PETZI_RELAY_QUEUE_TYPE: classic (one broker, the default) or quorum (a RabbitMQ cluster). */
  relayQueueType: RelayQueueType;
}

/**
 * The type of petzi.relay and its dead-letter queue. `classic` on one broker (npm start, compose);
 * `quorum` on a RabbitMQ cluster, where a queue replicated on a majority of nodes survives the loss
 * of one (infra/swarm). The bridges' per-instance petzi.live queues stay classic: exclusive queues
 * cannot be quorum queues, and a bridge replays what it missed from Postgres anyway.
 */
export const RELAY_QUEUE_TYPES = ['classic', 'quorum'] as const;
export type RelayQueueType = (typeof RELAY_QUEUE_TYPES)[number];

export const DEFAULTS = {
  secret: 'secret',
  toleranceSeconds: 300,
  databaseUrl: 'postgres://postgres:postgres@127.0.0.1:5432/petzi',
  rabbitmqUrl: 'amqp://guest:guest@127.0.0.1:5672',
  maxBodyBytes: 1024 * 1024,
  outboxGraceSeconds: 5,
  attemptRetentionDays: 14,
} as const;

export const POSTGRES_PROTOCOLS = ['postgres', 'postgresql'] as const;
export const AMQP_PROTOCOLS = ['amqp', 'amqps'] as const;

/** What the functions read, in Azure and under the local host alike. */
export const FUNCTION_VARIABLES = declareVariables({
  PETZI_WEBHOOK_SECRET: {
    kind: 'list',
    aliases: ['SECRET_KEY'],
    default: [DEFAULTS.secret],
    meaning:
      'the secret(s) webhooks are signed with, comma-separated for rotation (the first one signs, any one verifies); the host refuses the example "secret" when bound beyond loopback or in production',
  },
  SIGNATURE_TOLERANCE_SECONDS: {
    kind: 'int',
    min: 1,
    default: DEFAULTS.toleranceSeconds,
    meaning: 'accepted clock skew of a signature, past and future',
  },
  DATABASE_URL: {
    kind: 'url',
    aliases: ['DATABASE_URI'],
    protocols: POSTGRES_PROTOCOLS,
    default: DEFAULTS.databaseUrl,
    meaning: 'the Postgres database',
  },
  RABBITMQ_URL: {
    kind: 'url',
    aliases: ['RabbitMQConnection'],
    protocols: AMQP_PROTOCOLS,
    default: DEFAULTS.rabbitmqUrl,
    meaning:
      'the RabbitMQ broker; RabbitMQConnection is the setting the RabbitMQ trigger binding reads (give both the same value)',
  },
  MAX_BODY_BYTES: { kind: 'int', min: 1, default: DEFAULTS.maxBodyBytes, meaning: 'largest accepted webhook body' },
  OUTBOX_GRACE_SECONDS: {
    kind: 'int',
    min: 1,
    default: DEFAULTS.outboxGraceSeconds,
    meaning: 'age before the outbox takes over an unpublished row',
  },
  ATTEMPT_RETENTION_DAYS: {
    kind: 'int',
    min: 1,
    default: DEFAULTS.attemptRetentionDays,
    meaning: 'the delivery log keeps requests to /webhook this many days (hourly timer)',
  },
  RAW_RETENTION_DAYS: {
    kind: 'int',
    min: 1,
    meaning: "stored webhooks older than this lose their buyer's personal fields (hourly timer)",
    unset: 'kept',
  },
});

/** Settings of local.settings.json the Azure Functions host reads itself (the functions read none of them). */
export const AZURE_VARIABLES = declareVariables({
  FUNCTIONS_WORKER_RUNTIME: {
    kind: 'string',
    default: 'node',
    meaning: 'the language worker the Functions host starts',
  },
  AzureWebJobsStorage: {
    kind: 'string',
    meaning: 'the storage account of the Functions host (timers, keys); UseDevelopmentStorage=true is Azurite',
  },
  AzureWebJobsFeatureFlags: {
    kind: 'string',
    meaning: 'EnableWorkerIndexing: the Node.js v4 programming model registers the functions',
  },
});

/**
 * The broker's topology: its names outside Azure, where one broker may serve several stacks, and the relay queues'
 * type.
 */
export const TOPOLOGY_VARIABLES = declareVariables({
  PETZI_RELAY_QUEUE_TYPE: {
    kind: 'string',
    default: 'classic',
    meaning:
      'type of petzi.relay and its dead-letter queue: classic on one broker, quorum on a RabbitMQ cluster (replicated on a majority of nodes; infra/swarm); must match the queues the broker declared',
  },
  PETZI_TOPOLOGY_PREFIX: {
    kind: 'string',
    meaning:
      "prefix of every exchange and queue: give each stack that shares a broker its own, or their relays split each other's tickets between their databases",
  },
});

/** Where the process runs: read to tell local development from production (outsideLocalDevelopment). */
export const DEPLOYMENT_VARIABLES = declareVariables({
  NODE_ENV: { kind: 'string', meaning: 'production: not local development, so nothing runs open' },
  AZURE_FUNCTIONS_ENVIRONMENT: {
    kind: 'string',
    meaning: 'anything but Development (which func start sets): not local development',
  },
  WEBSITE_INSTANCE_ID: { kind: 'string', meaning: 'set on every Azure App Service instance: not local development' },
});

export function loadConfig(env: Env = process.env): Config {
  const v = FUNCTION_VARIABLES;
  return {
    secrets: read(env, v.PETZI_WEBHOOK_SECRET),
    toleranceSeconds: read(env, v.SIGNATURE_TOLERANCE_SECONDS),
    databaseUrl: read(env, v.DATABASE_URL),
    rabbitmqUrl: read(env, v.RABBITMQ_URL),
    maxBodyBytes: read(env, v.MAX_BODY_BYTES),
    outboxGraceSeconds: read(env, v.OUTBOX_GRACE_SECONDS),
    attemptRetentionDays: read(env, v.ATTEMPT_RETENTION_DAYS),
    rawRetentionDays: read(env, v.RAW_RETENTION_DAYS),
    relayQueueType: relayQueueType(env),
  };
}

function relayQueueType(env: Env): RelayQueueType {
  const value = read(env, TOPOLOGY_VARIABLES.PETZI_RELAY_QUEUE_TYPE);
  const known = RELAY_QUEUE_TYPES.find((type) => type === value);
  if (known === undefined)
    throw new ConfigError(`PETZI_RELAY_QUEUE_TYPE must be one of ${RELAY_QUEUE_TYPES.join(', ')}, got "${value}"`);
  return known;
}

/**
 * Where the example secret deserves a warning: NODE_ENV=production, an Azure Functions
 * environment other than Development (AZURE_FUNCTIONS_ENVIRONMENT, which `func start` sets to
 * Development), or any Azure App Service instance (WEBSITE_INSTANCE_ID is set on every one).
 */
export function outsideLocalDevelopment(env: Env = process.env): boolean {
  const v = DEPLOYMENT_VARIABLES;
  if (read(env, v.NODE_ENV)?.toLowerCase() === 'production') return true;
  const functionsEnvironment = read(env, v.AZURE_FUNCTIONS_ENVIRONMENT);
  if (functionsEnvironment !== undefined && functionsEnvironment.toLowerCase() !== 'development') return true;
  return read(env, v.WEBSITE_INSTANCE_ID) !== undefined;
}
