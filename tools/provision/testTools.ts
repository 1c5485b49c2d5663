import { installSystemPackage, onPath, type InstallOptions, type SystemPackage } from './install';
import type { Log } from './log';

/**
 * Command-line tools some tests run besides the services: `docker-compose` validates
 * docker-compose.yml as compose itself reads it, `promtool` runs the alerting rules' tests.
 * A fresh machine has neither; they are installed like the broker (and, like it, not when
 * installing is off: the tests that need them then fail saying what to install).
 */
const TEST_TOOLS: Array<{ command: string; pkg: SystemPackage }> = [
  {
    command: 'docker-compose',
    pkg: { what: 'docker-compose (the compose file tests)', apt: 'docker-compose', brew: 'docker-compose' },
  },
  { command: 'promtool', pkg: { what: 'promtool (the alerting rules tests)', apt: 'prometheus', brew: 'prometheus' } },
];

export async function ensureTestTools(env: NodeJS.ProcessEnv, install: InstallOptions, log: Log): Promise<void> {
  for (const { command, pkg } of TEST_TOOLS) {
    if (onPath(command, env)) continue;
    if (!(await installSystemPackage(pkg, install, log)) || !onPath(command, env)) {
      log(`${command}: not found and not installed; the tests that run it will fail`);
    }
  }
}
