import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AZURE_VARIABLES, FUNCTION_VARIABLES, readEnv, TOPOLOGY_VARIABLES, type Variable } from '../../functions/src';
import { HOST_VARIABLES } from '../../host/src/environment';
import { BRIDGE_VARIABLES } from '../../bridge/src/config';
import { DASHBOARD_VARIABLES } from '../../dashboard/server/src/config';
import { START_VARIABLES } from '../start/environment';
import { TEST_VARIABLES } from '../provision/environment';
import { OPS_VARIABLES } from '../ops/connect';
import { BARE_SERVER_VARIABLES, BENCH_VARIABLES } from '../bench/support';
import { SCHEMA_DUMP_VARIABLES } from '../schema/pgDump';
import { readBlock, replaceBlock, wrap } from './blocks';

const HELP = `Usage: npm run docs:config [-- --write]

The tables of docs/configuration.md, one per process, from the environment declarations the
processes read through (functions/src/core/env.ts). Prints markdown; --write replaces the block
between <!-- config:tables --> and <!-- /config:tables --> in docs/configuration.md.
tools/test/configurationDocs.test.ts fails when the page and the declarations differ.`;

export const PAGE = 'docs/configuration.md';
export const BLOCK = 'config:tables';

/** Each process that reads the environment: its heading, how it is run, and what it reads. */
export const PROCESSES: ReadonlyArray<{ title: string; intro: string; variables: readonly Variable[] }> = [
  {
    title: 'The functions host: `npm run host`',
    intro: '`node dist/host/src/main.js --help` prints the same list.',
    variables: HOST_VARIABLES,
  },
  {
    title: 'The functions in Azure: `func start`, the container image',
    intro:
      'The functions read these (`Values` in `local.settings.json`, app settings in Azure); the Functions host reads the Azure settings itself and checks the keys from its own key storage.',
    variables: [
      ...Object.values(FUNCTION_VARIABLES),
      TOPOLOGY_VARIABLES.PETZI_RELAY_QUEUE_TYPE,
      ...Object.values(AZURE_VARIABLES),
    ],
  },
  {
    title: 'The SSE bridge: `npm run bridge`',
    intro: '`node dist/bridge/src/main.js --help` prints the same list.',
    variables: BRIDGE_VARIABLES,
  },
  {
    title: 'The dashboard server: `npm run dashboard:serve`',
    intro:
      '`node dist/dashboard/server/src/main.js --help` prints the same list. The Vite dev server (`npm run dashboard:dev`) reads `FUNCTIONS_URL` and `BRIDGE_URL` too.',
    variables: DASHBOARD_VARIABLES,
  },
  {
    title: 'The whole pipeline: `npm start`',
    intro:
      "`npm start -- --help` prints the same list. Its children get the environment too, so every variable of the host, the bridge and the dashboard server reaches them; the ports, the keys and the login are npm start's to set.",
    variables: START_VARIABLES,
  },
  { title: 'The tests: `npm test`', intro: '`npm test -- --help` prints the same list.', variables: TEST_VARIABLES },
  {
    title: 'Operating from a shell: `npm run ops`',
    intro: "`npm run ops -- --help` prints the same list. It reads the functions' other variables too.",
    variables: OPS_VARIABLES,
  },
  {
    title: 'The schema dump: `npm run db:dump`',
    intro: '`npm run db:dump -- --help` says the same. It migrates a scratch database on the server of `DATABASE_URL`.',
    variables: [SCHEMA_DUMP_VARIABLES.PG_DUMP, FUNCTION_VARIABLES.DATABASE_URL],
  },
  {
    title: 'The benchmarks',
    intro: "Each bench's `--help` says which of these it reads.",
    variables: Object.values(BENCH_VARIABLES),
  },
  {
    title: "The benchmark's bare reference server",
    intro: "`npm run bench` starts it with these set, beside the functions' variables.",
    variables: [BARE_SERVER_VARIABLES.PORT, BARE_SERVER_VARIABLES.PETZI_TOPOLOGY_PREFIX],
  },
];

/** The generated block: a heading, a line and a table per process. */
export function configurationTables(): string {
  return PROCESSES.map(({ title, intro, variables }) =>
    [`### ${title}`, '', wrap(intro), '', readEnv.variablesTable(variables)].join('\n'),
  ).join('\n\n');
}

/** The block as docs/configuration.md has it now. */
export function checkedIn(root: string): string {
  return readBlock(readFileSync(path.join(root, PAGE), 'utf8'), BLOCK, PAGE);
}

function main(): void {
  if (process.argv.includes('--help')) {
    console.log(HELP);
    return;
  }
  const block = configurationTables();
  if (!process.argv.includes('--write')) {
    console.log(block);
    return;
  }
  const root = path.resolve(__dirname, '..', '..', '..');
  const page = path.join(root, PAGE);
  writeFileSync(page, replaceBlock(readFileSync(page, 'utf8'), BLOCK, block, PAGE));
  console.log(`${PAGE} tables rewritten`);
}

if (require.main === module) main();
