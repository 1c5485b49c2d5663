import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
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
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/**
 * The page's serious and critical axe-core violations (WCAG 2.1 A and AA), each as
 * "rule: selectors"; an empty list is a clean page.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            context: Document,
            options: object,
          ) => Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }>;
        };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

/** Collects the page's console errors and uncaught exceptions; a test ends by expecting none. */
export function consoleErrorsOf(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}
