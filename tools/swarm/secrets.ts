import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The files infra/swarm/stack.yml makes swarm secrets of, one per secret, named as the stack
 * names them. The URLs are built from the passwords, so the three places a password appears
 * (the server's secret, the clients' URL) cannot disagree.
 */
export const SWARM_SECRET_NAMES = [
  'petzi_webhook_secret',
  'petzi_api_key',
  'petzi_admin_key',
  'dashboard_password',
  'postgres_password',
  'database_url',
  'rabbitmq_user',
  'rabbitmq_password',
  'rabbitmq_url',
  'rabbitmq_erlang_cookie',
] as const;
export type SwarmSecretName = (typeof SWARM_SECRET_NAMES)[number];
export type SwarmSecrets = Record<SwarmSecretName, string>;

/**
 * Seconds between AMQP heartbeats in the clients' URL: a broker node that vanishes without
 * closing its sockets is noticed within two of them, and the client moves to another node.
 */
export const AMQP_HEARTBEAT_SECONDS = 10;

/** Hex only: every value goes into a URL, a JSON file or an nginx config as it is (see .env.example). */
const fresh = (bytes = 24): string => randomBytes(bytes).toString('hex');

export function generateSwarmSecrets(options: { rabbitmqUser?: string } = {}): SwarmSecrets {
  const postgresPassword = fresh();
  const rabbitmqUser = options.rabbitmqUser ?? 'petzi';
  const rabbitmqPassword = fresh();
  return {
    petzi_webhook_secret: fresh(),
    petzi_api_key: fresh(),
    petzi_admin_key: fresh(),
    dashboard_password: fresh(),
    postgres_password: postgresPassword,
    database_url: `postgres://postgres:${postgresPassword}@db:5432/petzi`,
    rabbitmq_user: rabbitmqUser,
    rabbitmq_password: rabbitmqPassword,
    // "rabbitmq" is every node of the cluster (each node service carries the alias).
    rabbitmq_url: `amqp://${rabbitmqUser}:${rabbitmqPassword}@rabbitmq:5672?heartbeat=${AMQP_HEARTBEAT_SECONDS}`,
    rabbitmq_erlang_cookie: fresh(32),
  };
}

/**
 * Writes one file per secret into `dir` (created 0700, files 0600). An existing directory that
 * holds any file is refused unless `force`: the secrets of a running stack are not replaced by
 * accident (swarm would refuse the changed ones at the next deploy anyway).
 */
export function writeSwarmSecrets(dir: string, secrets: SwarmSecrets, options: { force?: boolean } = {}): string[] {
  if (existsSync(dir) && readdirSync(dir).length > 0 && !options.force) {
    throw new Error(
      `${dir} already holds files; pass --force to replace them (a deployed stack keeps its old secrets until it is deployed under new names)`,
    );
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return SWARM_SECRET_NAMES.map((name) => {
    const file = path.join(dir, name);
    writeFileSync(file, `${secrets[name]}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return file;
  });
}
