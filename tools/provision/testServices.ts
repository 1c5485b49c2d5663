import { randomSecret, readEnv } from '../../functions/src';
import { ensureChromium } from './chromium';
import { TEST_SERVICE_VARIABLES } from './environment';
import type { InstallOptions } from './install';
import type { Log } from './log';
import { freePort } from './ports';
import { postgresAnswers, startEmbeddedPostgres } from './postgres';
import { ensureRabbit, freeNodePorts } from './rabbitmq';
import { PIPELINE_BROKER_USER } from './rabbitmqUser';
import { scratchServices } from './scratch';
import { ensureTestTools } from './testTools';

export interface TestServices {
  /** TEST_DATABASE_URL, TEST_RABBITMQ_URL, TEST_RABBITMQ_MANAGEMENT_URL and CHROMIUM_PATH for the tests. */
  env: Record<string, string>;
  /** Stops what was started here (nothing that was already running), and removes its data. */
  stop(): Promise<void>;
}

/**
 * What `npm test` needs: the Postgres at TEST_DATABASE_URL, else an embedded one; the RabbitMQ at
 * TEST_RABBITMQ_URL, else a private node (or container, or an installed one); a Chromium. Private
 * services take free ports, never the defaults someone else holds (a running npm start's included).
 * Those started here get passwords made for this run only, passed on in the URLs: the embedded
 * Postgres's superuser and the broker's one user (guest is not created). A broker found at
 * TEST_RABBITMQ_URL is used with the login that URL holds (guest on loopback by default).
 */
export async function provisionTestServices(
  env: NodeJS.ProcessEnv,
  install: InstallOptions,
  log: Log,
): Promise<TestServices> {
  const { dataDir, onStop, stop } = scratchServices('test', log);
  try {
    const provided: Record<string, string> = {};
    const databaseUrl = readEnv.read(env, TEST_SERVICE_VARIABLES.TEST_DATABASE_URL);
    if (await postgresAnswers(databaseUrl)) {
      provided.TEST_DATABASE_URL = databaseUrl;
    } else {
      log(`Postgres: nothing answers at ${databaseUrl.replace(/\/\/[^@]*@/, '//')}`);
      const postgres = await startEmbeddedPostgres({
        dataDir,
        port: await freePort(),
        database: 'postgres',
        password: randomSecret(),
        log,
      });
      onStop(() => postgres.stop());
      provided.TEST_DATABASE_URL = postgres.url;
    }
    const rabbit = await ensureRabbit({
      probe: {
        urls: [readEnv.read(env, TEST_SERVICE_VARIABLES.TEST_RABBITMQ_URL)],
        managementUrl: readEnv.read(env, TEST_SERVICE_VARIABLES.TEST_RABBITMQ_MANAGEMENT_URL),
      },
      // The tests' own broker: its user also adds vhosts and users (the definitions tests), which
      // takes the administrator tag; npm start's pipeline user keeps only management.
      user: { name: PIPELINE_BROKER_USER, password: randomSecret(), tags: ['administrator'] },
      dataDir,
      port: await freeNodePorts(),
      install,
      env,
      log,
    });
    onStop(() => rabbit.stop());
    provided.TEST_RABBITMQ_URL = rabbit.url;
    if (rabbit.managementUrl) provided.TEST_RABBITMQ_MANAGEMENT_URL = rabbit.managementUrl;
    else log('RabbitMQ: no management UI answers; the tests that read queues through it will fail');
    const chromium = await ensureChromium(env, install, log);
    if (chromium) provided.CHROMIUM_PATH = chromium;
    else
      log(
        'Chromium: none found (CHROMIUM_PATH, /usr/bin/chromium, playwright cache) and none could be installed; the dashboard tests will fail',
      );
    await ensureTestTools(env, install, log);
    return { env: provided, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
