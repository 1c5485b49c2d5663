import { createHash, randomBytes } from 'node:crypto';

/**
 * The one login of a broker provisioning starts (private node, container, the system broker it
 * just installed): npm start's is generated into .data/credentials.json, npm test's is new on each
 * run. `guest` is never the pipeline's user: such a broker has no guest at all.
 */
export interface BrokerUser {
  name: string;
  password: string;
  /** Its tags; PIPELINE_BROKER_TAGS unless given. */
  tags?: readonly string[];
}

/** The pipeline user's name on the brokers npm start and npm test start. */
export const PIPELINE_BROKER_USER = 'petzi';

/**
 * What the pipeline needs, and no more: configure, write and read on its vhost (`/`, the broker's
 * only one), plus the `management` tag so that its owner can browse that vhost in the management
 * UI (and the tests can read queues through its API). Not `administrator`: it cannot add users.
 */
export const PIPELINE_BROKER_TAGS = ['management'];

/** RabbitMQ's rabbit_password_hashing_sha256: base64(salt(4) ‖ sha256(salt ‖ password)). */
export function rabbitPasswordHash(password: string, salt: Buffer = randomBytes(4)): string {
  const digest = createHash('sha256')
    .update(Buffer.concat([salt, Buffer.from(password, 'utf8')]))
    .digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

/**
 * RabbitMQ definitions holding the pipeline user (as a salted hash, never the password itself)
 * and its permissions. Loaded at every boot of a private node, which then never creates guest, and
 * updates the user's password and tags when they change.
 */
export function pipelineDefinitions(user: BrokerUser): Record<string, unknown> {
  return {
    users: [
      {
        name: user.name,
        password_hash: rabbitPasswordHash(user.password),
        hashing_algorithm: 'rabbit_password_hashing_sha256',
        tags: user.tags ?? PIPELINE_BROKER_TAGS,
      },
    ],
    vhosts: [{ name: '/' }],
    permissions: [{ user: user.name, vhost: '/', configure: '.*', write: '.*', read: '.*' }],
  };
}

/** amqp://user:password@127.0.0.1:port */
export function brokerUrl(user: BrokerUser, port: number, host = '127.0.0.1'): string {
  return `amqp://${encodeURIComponent(user.name)}:${encodeURIComponent(user.password)}@${host}:${port}`;
}

/** The URL's login, for messages: its user name only. */
export function loginOf(url: string): string {
  return decodeURIComponent(new URL(url).username) || 'guest';
}
