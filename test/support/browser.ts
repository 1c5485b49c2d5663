import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ensureDashboardBuilt as ensureDashboardBuild } from '../../tools/start/build';
import { CHROMIUM_PATH } from './env';

const ROOT = path.resolve(__dirname, '..', '..');
export const DASHBOARD_DIST = path.join(ROOT, 'dashboard', 'dist');

/**
 * Builds the dashboard when it is missing or older than its sources (a stale build would test old
 * code), as npm start does; vite is ESM-only and jest cannot load it, so in a child process.
 */
export function ensureDashboardBuilt(): void {
  ensureDashboardBuild(ROOT, () => undefined);
}

/** The Chromium npm test provisioned (CHROMIUM_PATH; Debian's by default), headless, through playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}
