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
}

export const DEFAULTS = {
  secret: 'secret',
  toleranceSeconds: 300,
  databaseUrl: 'postgres://postgres:postgres@127.0.0.1:5432/petzi',
  rabbitmqUrl: 'amqp://guest:guest@127.0.0.1:5672',
  maxBodyBytes: 1024 * 1024,
  outboxGraceSeconds: 5,
} as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

/** The first of these variables that is set and not blank, trimmed: design names before aliases. */
export function first(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return value.trim();
  }
  return undefined;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = first(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

export function loadConfig(env: Env = process.env): Config {
  const secretList = first(env, 'PETZI_WEBHOOK_SECRET', 'SECRET_KEY') ?? DEFAULTS.secret;
  const secrets = secretList
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (secrets.length === 0) throw new ConfigError('PETZI_WEBHOOK_SECRET is empty');
  return {
    secrets,
    toleranceSeconds: positiveInt(env, 'SIGNATURE_TOLERANCE_SECONDS', DEFAULTS.toleranceSeconds),
    databaseUrl: first(env, 'DATABASE_URL', 'DATABASE_URI') ?? DEFAULTS.databaseUrl,
    rabbitmqUrl: first(env, 'RABBITMQ_URL', 'RabbitMQConnection') ?? DEFAULTS.rabbitmqUrl,
    maxBodyBytes: positiveInt(env, 'MAX_BODY_BYTES', DEFAULTS.maxBodyBytes),
    outboxGraceSeconds: positiveInt(env, 'OUTBOX_GRACE_SECONDS', DEFAULTS.outboxGraceSeconds),
    rawRetentionDays: first(env, 'RAW_RETENTION_DAYS') === undefined ? undefined : positiveInt(env, 'RAW_RETENTION_DAYS', 0),
  };
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
