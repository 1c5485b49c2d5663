import { ConfigError } from './errors';
import { first, int, list, string, url, type Env } from './env';

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

export function loadConfig(env: Env = process.env): Config {
  const secrets = list(env, 'PETZI_WEBHOOK_SECRET', { aliases: ['SECRET_KEY'], default: [DEFAULTS.secret] });
  const positive = (name: string, fallback: number): number => int(env, name, { min: 1, default: fallback });
  return {
    secrets,
    toleranceSeconds: positive('SIGNATURE_TOLERANCE_SECONDS', DEFAULTS.toleranceSeconds),
    databaseUrl: url(env, 'DATABASE_URL', { aliases: ['DATABASE_URI'], protocols: POSTGRES_PROTOCOLS, default: DEFAULTS.databaseUrl }),
    rabbitmqUrl: url(env, 'RABBITMQ_URL', { aliases: ['RabbitMQConnection'], protocols: AMQP_PROTOCOLS, default: DEFAULTS.rabbitmqUrl }),
    maxBodyBytes: positive('MAX_BODY_BYTES', DEFAULTS.maxBodyBytes),
    outboxGraceSeconds: positive('OUTBOX_GRACE_SECONDS', DEFAULTS.outboxGraceSeconds),
    attemptRetentionDays: positive('ATTEMPT_RETENTION_DAYS', DEFAULTS.attemptRetentionDays),
    rawRetentionDays: int(env, 'RAW_RETENTION_DAYS', { min: 1 }),
    relayQueueType: relayQueueType(env),
  };
}

function relayQueueType(env: Env): RelayQueueType {
  const value = string(env, 'PETZI_RELAY_QUEUE_TYPE', { default: 'classic' });
  const known = RELAY_QUEUE_TYPES.find((type) => type === value);
  if (known === undefined) throw new ConfigError(`PETZI_RELAY_QUEUE_TYPE must be one of ${RELAY_QUEUE_TYPES.join(', ')}, got "${value}"`);
  return known;
}

/**
 * Where the example secret deserves a warning: NODE_ENV=production, an Azure Functions
 * environment other than Development (AZURE_FUNCTIONS_ENVIRONMENT, which `func start` sets to
 * Development), or any Azure App Service instance (WEBSITE_INSTANCE_ID is set on every one).
 */
export function outsideLocalDevelopment(env: Env = process.env): boolean {
  if (first(env, 'NODE_ENV')?.toLowerCase() === 'production') return true;
  const functionsEnvironment = first(env, 'AZURE_FUNCTIONS_ENVIRONMENT');
  if (functionsEnvironment !== undefined && functionsEnvironment.toLowerCase() !== 'development') return true;
  return first(env, 'WEBSITE_INSTANCE_ID') !== undefined;
}
