import path from 'node:path';
import type { Page } from 'playwright-core';
import { ensureDashboardBuilt, runDashboardScenario, type ScenarioResult } from '../../tools/bench/dashboard-bench';

/**
 * A small presale, the scenario of `npm run bench:dashboard` (real Chromium, real stack in child
 * processes): tickets already stored, then live webhooks while the user pages back past 500 rows.
 * No timing is asserted (the bench measures speed); every ticket must show, and rows the user
 * loaded must stay loaded while live tickets arrive.
 */
const STORED = 650;
const RATE = 20;
const SECONDS = 5;

/** Rows the table holds (aria-rowcount counts the header row too). */
const rowCount = (page: Page) =>
  page.getByTestId('ticket-table').evaluate((t) => Number(t.getAttribute('aria-rowcount')) - 1);

let result: ScenarioResult;
const countsWhilePaging: number[] = [];
let finalCount = 0;
let loadMoreLeft = 0;

beforeAll(async () => {
  const distDir = ensureDashboardBuilt(path.resolve(__dirname, '..', '..', 'dashboard', 'dist'));
  result = await runDashboardScenario({
    stored: STORED,
    rate: RATE,
    seconds: SECONDS,
    distDir,
    // Page back through every stored ticket while the live ones arrive.
    during: async (page) => {
      const more = page.getByTestId('load-more');
      for (let i = 0; i < 20 && (await more.count()) > 0; i += 1) {
        const before = await rowCount(page);
        await more.click();
        await page.waitForFunction(
          (n) => Number(document.querySelector('[data-testid="ticket-table"]')?.getAttribute('aria-rowcount')) - 1 > n,
          before,
          { timeout: 20_000 },
        );
        countsWhilePaging.push(await rowCount(page));
      }
    },
    after: async (page) => {
      finalCount = await rowCount(page);
      loadMoreLeft = await page.getByTestId('load-more').count();
    },
  });
}, 300_000);

describe('the dashboard during a small presale', () => {
  it('accepts every webhook and shows every ticket', () => {
    expect(result.sent).toBe(RATE * SECONDS);
    expect(result.ok).toBe(result.sent);
    expect(result.missing).toEqual([]);
    expect(result.seenLive + result.seenByScrolling).toBe(result.ok);
  });

  it('pages back past 500 rows while live tickets arrive, never losing a loaded row', () => {
    expect(countsWhilePaging.length).toBeGreaterThanOrEqual(5);
    expect(countsWhilePaging[countsWhilePaging.length - 1]).toBeGreaterThan(500);
    for (let i = 1; i < countsWhilePaging.length; i += 1)
      expect(countsWhilePaging[i]).toBeGreaterThan(countsWhilePaging[i - 1]);
    // Everything stored and everything sent live: all of it in the table, nothing left to load.
    expect(loadMoreLeft).toBe(0);
    expect(finalCount).toBe(STORED + result.ok);
  });

  it('measures the figures the bench writes', () => {
    expect(Number.isFinite(result.visibleMs.p50)).toBe(true);
    expect(Number.isFinite(result.visibleMs.p99)).toBe(true);
    expect(result.heapMb.before).toBeGreaterThan(0);
    expect(result.heapMb.after).toBeGreaterThan(0);
    expect(result.frames.expected).toBeGreaterThan(0);
  });
});
