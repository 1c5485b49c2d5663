import { readEnv } from '../../functions/src';
import { PROVISION_VARIABLES, TEST_SERVICE_VARIABLES } from '../../tools/provision/environment';

/**
 * Where the tests find the real services; `npm test` (tools/test-runner.js) provisions what does not answer on these
 * defaults.
 */
export const ADMIN_DATABASE_URL = readEnv.read(process.env, TEST_SERVICE_VARIABLES.TEST_DATABASE_URL);
export const TEST_RABBITMQ_URL = readEnv.read(process.env, TEST_SERVICE_VARIABLES.TEST_RABBITMQ_URL);
/**
 * The test broker's management API and its login: the user of TEST_RABBITMQ_URL (a broker npm test starts has no
 * guest).
 */
export const TEST_RABBITMQ_MANAGEMENT_URL = readEnv.read(
  process.env,
  TEST_SERVICE_VARIABLES.TEST_RABBITMQ_MANAGEMENT_URL,
);
export const TEST_RABBITMQ_MANAGEMENT_AUTH = ((url: URL) =>
  `Basic ${Buffer.from(`${decodeURIComponent(url.username || 'guest')}:${decodeURIComponent(url.password || 'guest')}`).toString('base64')}`)(
  new URL(TEST_RABBITMQ_URL),
);
/** Debian's chromium by default; `npm test` finds one (playwright's cache, an install) and says where. */
export const CHROMIUM_PATH = readEnv.read(process.env, PROVISION_VARIABLES.CHROMIUM_PATH) ?? '/usr/bin/chromium';
export const TEST_SECRET = 'test-secret';

export function uniqueName(kind: string): string {
  return `${kind}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
