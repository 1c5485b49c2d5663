import { AMQP_PROTOCOLS, declareVariables, POSTGRES_PROTOCOLS, type Variable } from '../../functions/src';

/** What provisioning reads, for npm start and npm test alike. */
export const PROVISION_VARIABLES = declareVariables({
  PETZI_NO_INSTALL: { kind: 'flag', meaning: 'never install a package (same as --no-install)' },
  RABBITMQ_SERVER_BIN: {
    kind: 'string',
    meaning: 'the rabbitmq-server to run as a private node',
    unset: 'found on PATH, /usr/sbin, /usr/lib/rabbitmq/bin, /usr/local/sbin, /opt/homebrew/sbin',
  },
  CHROMIUM_PATH: {
    kind: 'string',
    meaning: 'the Chromium the browser tests drive (it must be executable)',
    unset: "/usr/bin/chromium, else playwright's cache, else installed",
  },
  PLAYWRIGHT_BROWSERS_PATH: {
    kind: 'string',
    meaning: "playwright's browser cache, where a Chromium is looked for",
    unset: '~/.cache/ms-playwright (~/Library/Caches/ms-playwright on macOS)',
  },
});

/** npm start's services: given, or provisioned. */
export const START_SERVICE_VARIABLES = declareVariables({
  DATABASE_URL: {
    kind: 'url',
    aliases: ['DATABASE_URI'],
    protocols: POSTGRES_PROTOCOLS,
    meaning: 'use this Postgres instead of an embedded one',
    unset: 'an embedded PostgreSQL, data in .data/postgres',
  },
  RABBITMQ_URL: {
    kind: 'url',
    protocols: AMQP_PROTOCOLS,
    meaning: 'use this broker instead of looking for one',
    unset: 'a broker on RABBITMQ_LOCAL_PORT, else a private node, a container or an installed one',
  },
});

/** Where npm test finds the services the tests use; it provisions what does not answer there. */
export const TEST_SERVICE_VARIABLES = declareVariables({
  TEST_DATABASE_URL: {
    kind: 'url',
    protocols: POSTGRES_PROTOCOLS,
    default: 'postgres://postgres:postgres@127.0.0.1:5432/postgres',
    meaning: 'the Postgres the tests create their databases in (an admin URL); else an embedded one on a free port',
  },
  TEST_RABBITMQ_URL: {
    kind: 'url',
    protocols: AMQP_PROTOCOLS,
    default: 'amqp://guest:guest@127.0.0.1:5672',
    meaning: 'the RabbitMQ the tests declare their queues on; else a private node on free ports',
  },
  TEST_RABBITMQ_MANAGEMENT_URL: {
    kind: 'url',
    protocols: ['http', 'https'],
    default: 'http://127.0.0.1:15672',
    meaning: "that broker's management API",
  },
});

/** Every variable npm test reads, in the order its --help lists them. */
export const TEST_VARIABLES: readonly Variable[] = [
  ...Object.values(TEST_SERVICE_VARIABLES),
  PROVISION_VARIABLES.CHROMIUM_PATH,
  PROVISION_VARIABLES.PLAYWRIGHT_BROWSERS_PATH,
  PROVISION_VARIABLES.RABBITMQ_SERVER_BIN,
  PROVISION_VARIABLES.PETZI_NO_INSTALL,
];
