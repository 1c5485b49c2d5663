import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { readEnv } from '../../functions/src';
import { PROVISION_VARIABLES } from './environment';
import { isExecutable } from './executable';
import { installSystemPackage, type InstallOptions } from './install';
import type { Log } from './log';

const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/Applications/Chromium.app/Contents/MacOS/Chromium'];

/** The newest Chromium playwright downloaded (`npx playwright install chromium`), if any. */
function fromPlaywrightCache(env: NodeJS.ProcessEnv): string | null {
  const cache =
    readEnv.read(env, PROVISION_VARIABLES.PLAYWRIGHT_BROWSERS_PATH) ??
    path.join(homedir(), process.platform === 'darwin' ? 'Library/Caches' : '.cache', 'ms-playwright');
  let builds: string[];
  try {
    builds = readdirSync(cache).filter((d) => /^chromium-\d+$/.test(d));
  } catch {
    return null;
  }
  builds.sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]));
  const layouts = ['chrome-linux64/chrome', 'chrome-linux/chrome', 'chrome-mac/Chromium.app/Contents/MacOS/Chromium'];
  for (const build of builds) {
    for (const layout of layouts) {
      const candidate = path.join(cache, build, layout);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

function findChromium(env: NodeJS.ProcessEnv): string | null {
  return SYSTEM_CHROMIUMS.find(isExecutable) ?? fromPlaywrightCache(env);
}

/**
 * CHROMIUM_PATH when set (it must be executable); else Debian's chromium; else playwright's
 * cache; else Chromium installed like the broker. Null when none can be had.
 */
export async function ensureChromium(
  env: NodeJS.ProcessEnv,
  install: InstallOptions,
  log: Log,
): Promise<string | null> {
  const given = readEnv.read(env, PROVISION_VARIABLES.CHROMIUM_PATH);
  if (given !== undefined) {
    if (!isExecutable(given)) throw new Error(`CHROMIUM_PATH=${given} is not an executable file`);
    return given;
  }
  const found = findChromium(env);
  if (found) return found;
  if (await installSystemPackage({ what: 'Chromium', apt: 'chromium', brew: '--cask chromium' }, install, log))
    return findChromium(env);
  return null;
}
