import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { readEnv, type Variable } from '../../functions/src';
import { HOST_VARIABLES } from '../../host/src/environment';
import { BRIDGE_VARIABLES } from '../../bridge/src/config';
import { DASHBOARD_VARIABLES } from '../../dashboard/server/src/config';
import { START_VARIABLES } from '../start/environment';
import { TEST_VARIABLES } from '../provision/environment';
import { OPS_VARIABLES } from '../ops/connect';

/** Each process's --help, from the build npm test makes first, prints its declarations. */
const ROOT = path.resolve(__dirname, '..', '..');

const PROCESSES: Array<[string, string[], readonly Variable[]]> = [
  ['functions host', ['dist/host/src/main.js', '--help'], HOST_VARIABLES],
  ['SSE bridge', ['dist/bridge/src/main.js', '--help'], BRIDGE_VARIABLES],
  ['dashboard server', ['dist/dashboard/server/src/main.js', '--help'], DASHBOARD_VARIABLES],
  ['npm start', ['dist/tools/start/main.js', '--help'], START_VARIABLES],
  ['npm test', ['dist/tools/test-runner/main.js', '--help'], TEST_VARIABLES],
  ['npm run ops', ['dist/tools/ops/main.js', '--help'], OPS_VARIABLES],
];

describe('--help prints the declarations each process reads', () => {
  it.each(PROCESSES)('%s', (_name, args, variables) => {
    const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(readEnv.variablesHelp(variables));
    for (const variable of variables) expect(run.stdout).toContain(`  ${variable.name} `);
  });
});
