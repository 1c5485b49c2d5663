import { freePort } from '../provision/ports';
import { startEmbeddedPostgres } from '../provision/postgres';
import { ensureRabbit, freeNodePorts } from '../provision/rabbitmq';
import { PIPELINE_BROKER_USER } from '../provision/rabbitmqUser';
import { scratchServices } from '../provision/scratch';
import { childTreesRunning, type ProcessGroups } from './processCpu';
import { randomSecret, readEnv, type Variable } from '../../functions/src';
import { ADMIN_DATABASE_URL, BENCH_VARIABLES, RABBITMQ_URL, useServices } from './support';

/** Set under its own name: the TEST_* aliases npm test sets do not make a bench use shared services. */
const given = (variable: Variable) => readEnv.readText(process.env, { ...variable, aliases: [] }) !== undefined;

export interface BenchServices {
  /** The Postgres and RabbitMQ process trees, when they are this bench's own (none on shared services). */
  groups: ProcessGroups;
  stop(): Promise<void>;
}

const log = (message: string) => console.log(`  ${message}`);

/**
 * A Postgres and a RabbitMQ of the bench's own (an embedded Postgres and a private RabbitMQ node
 * on free ports, the provisioning `npm test` uses), so that their CPU is this bench's work alone
 * and can be read from /proc; the machine's shared ones serve other work at the same time.
 * `--shared-services` (or BENCH_DATABASE_URL / BENCH_RABBITMQ_URL) uses those instead, and then
 * their CPU is not measured.
 */
export async function startBenchServices(
  argv: string[],
  { rabbitmq = true }: { rabbitmq?: boolean } = {},
): Promise<BenchServices> {
  if (
    argv.includes('--shared-services') ||
    given(BENCH_VARIABLES.BENCH_DATABASE_URL) ||
    given(BENCH_VARIABLES.BENCH_RABBITMQ_URL)
  ) {
    console.log(
      `services: shared (${new URL(ADMIN_DATABASE_URL).host}, ${new URL(RABBITMQ_URL).host}); their CPU is not measured`,
    );
    return { groups: {}, stop: async () => undefined };
  }
  const { dataDir, onStop, stop } = scratchServices('bench', log);
  try {
    console.log(`services: starting a Postgres${rabbitmq ? ' and a RabbitMQ' : ''} of this bench's own`);
    const postgres = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      database: 'postgres',
      password: randomSecret(),
      log,
    });
    onStop(() => postgres.stop());
    let rabbitUrl = RABBITMQ_URL;
    if (rabbitmq) {
      const port = await freeNodePorts();
      const rabbit = await ensureRabbit({
        // Nothing to probe: ensureRabbit starts a private node on these free ports.
        probe: { urls: [], managementUrl: `http://127.0.0.1:${port + 10_000}` },
        user: { name: PIPELINE_BROKER_USER, password: randomSecret() },
        dataDir,
        port,
        install: { allowed: false, logDir: dataDir, env: process.env },
        env: process.env,
        log,
      });
      onStop(() => rabbit.stop());
      rabbitUrl = rabbit.url;
    }
    useServices(postgres.url, rabbitUrl);
    const groups: ProcessGroups = {
      postgres: childTreesRunning(/^postgres$/),
      ...(rabbitmq ? { rabbitmq: childTreesRunning(/^beam/) } : {}),
    };
    const missing = Object.entries(groups).find(([, roots]) => roots.length === 0);
    if (missing)
      throw new Error(
        `bench services: no process tree found for ${missing[0] === 'postgres' ? 'Postgres' : 'RabbitMQ'} under this process`,
      );
    return { groups, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
