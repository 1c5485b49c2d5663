import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { silentLogger } from '../../functions/src';
import { startBridge, type RunningBridge } from '../../bridge/src/bridge';
import { loadBridgeConfig } from '../../bridge/src/config';
import { startDashboardServer, type RunningDashboardServer } from '../../dashboard/server/src/server';
import {
  axeViolations,
  consoleErrorsOf,
  DASHBOARD_DIST,
  ensureDashboardBuilt,
  launchChromium,
} from '../support/browser';
import { TEST_RABBITMQ_URL } from '../support/env';
import { startTestStack, type TestStack } from '../support/host';
import { waitUntil } from '../support/wait';
import { postWebhook, ticketBody } from '../support/webhooks';

/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the real
 * stack: an in-process functions host, the SSE bridge on the same database and topology, and
 * the production dashboard server over the built app.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
/** The promise: a ticket shows up in the browser within 2 s of its webhook. */
const LIVE_DEADLINE_MS = 2000;

const ticketNumber = (n: number) => `TEST${String(n).padStart(8, '0')}`;

function cancellation(n: number, reason: string): string {
  const body = JSON.parse(ticketBody(n)) as { event: string; details: { ticket: Record<string, unknown> } };
  body.event = 'ticket_updated';
  body.details.ticket.cancellationReason = reason;
  return JSON.stringify(body);
}

let stack: TestStack;
let bridge: RunningBridge;
let dashboard: RunningDashboardServer;
let browser: Browser;
let page: Page;
let consoleErrors: string[] = [];

function bridgeOn(port: number): Promise<RunningBridge> {
  const config = loadBridgeConfig({
    DATABASE_URL: stack.db.url,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    PETZI_TOPOLOGY_PREFIX: stack.prefix,
  });
  return startBridge({ config, port, hostname: '127.0.0.1', log: silentLogger, processMetrics: false });
}

async function send(body: string): Promise<void> {
  const result = await postWebhook(stack.url, body);
  expect(result.status).toBe(200);
}

/** Waits until the projection (the read API) holds these tickets at these statuses. */
async function relayed(expected: Record<string, 'valid' | 'cancelled'>): Promise<void> {
  await waitUntil(
    async () => {
      const response = await fetch(`${stack.url}/api/tickets?limit=100`);
      const { items } = (await response.json()) as { items: Array<{ number: string; status: string }> };
      return Object.entries(expected).every(([n, s]) => items.some((i) => i.number === n && i.status === s))
        ? true
        : undefined;
    },
    15_000,
    `tickets ${Object.keys(expected).join(', ')} in the projection`,
  );
}

const rows = (number: string) => page.locator(`[data-testid="ticket-table"] tbody tr[data-ticket="${number}"]`);
/** The ticket numbers the table shows, top to bottom. */
const shown = () =>
  page
    .locator('[data-testid="ticket-table"] tbody tr[data-ticket]')
    .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-ticket')));
/** Waits until the table shows exactly these tickets, in this order (the API answers a new query). */
async function showsExactly(numbers: string[]): Promise<void> {
  await waitUntil(
    async () => (JSON.stringify(await shown()) === JSON.stringify(numbers) ? true : undefined),
    10_000,
    `the table to show ${numbers.join(', ')}`,
  ).catch(async (error: unknown) => {
    throw new Error(`${(error as Error).message}; it shows ${(await shown()).join(', ')}`);
  });
}
const kpi = (name: string) => page.locator(`[data-testid="kpi-${name}"] .value`).first();

beforeAll(async () => {
  ensureDashboardBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startTestStack();
  for (const n of [1, 2, 3]) await send(ticketBody(n));
  await relayed({ [ticketNumber(1)]: 'valid', [ticketNumber(2)]: 'valid', [ticketNumber(3)]: 'valid' });
  bridge = await bridgeOn(0);
  dashboard = await startDashboardServer({
    port: 0,
    hostname: '127.0.0.1',
    distDir: DASHBOARD_DIST,
    functionsUrl: stack.url,
    bridgeUrl: bridge.url,
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  consoleErrors = consoleErrorsOf(page);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
  await bridge?.stop();
  await stack?.stop();
});

describe('the dashboard in a browser', () => {
  it('loads with the stored history, its KPIs and a live connection', async () => {
    await page.goto(dashboard.url);
    await page.locator('[data-testid="ticket-table"]').waitFor();
    for (const n of [1, 2, 3]) await expect(rows(ticketNumber(n)).count()).resolves.toBe(1);
    // Newest first.
    expect(await shown()).toEqual([ticketNumber(3), ticketNumber(2), ticketNumber(1)]);
    await expect(kpi('sold').textContent()).resolves.toBe('3');
    await expect(kpi('revenue').textContent()).resolves.toBe('CHF 75.00');
    await expect(kpi('average').textContent()).resolves.toBe('CHF 25.00');
    await page.locator('[data-testid="connection"]', { hasText: 'Live' }).waitFor({ timeout: 10_000 });
    await expect(page.getByRole('columnheader', { name: 'Status' }).count()).resolves.toBe(1);
    await expect(page.getByLabel('Event', { exact: true }).count()).resolves.toBe(1);
    await expect(page.getByLabel('Category', { exact: true }).count()).resolves.toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  it('filters the table by event, shown as name, date and venue, answered by the server', async () => {
    await page
      .getByLabel('Event', { exact: true })
      .selectOption({ label: 'Test Event 1 · 12 Dec 2026 · Case à Chocs' });
    await showsExactly([ticketNumber(1)]);
    await page.getByLabel('Event', { exact: true }).selectOption({ value: '' });
    await showsExactly([3, 2, 1].map(ticketNumber));
  });

  it('searches by a piece of the ticket number', async () => {
    await page.getByLabel('Search').fill('00002');
    await showsExactly([ticketNumber(2)]);
    await page.getByLabel('Search').fill('');
    await showsExactly([3, 2, 1].map(ticketNumber));
  });

  it('sorts by a column heading, and back', async () => {
    const header = page.getByRole('columnheader', { name: /Ticket/ });
    await header.getByRole('button').click();
    await showsExactly([1, 2, 3].map(ticketNumber));
    await expect(header.getAttribute('aria-sort')).resolves.toBe('ascending');
    await header.getByRole('button').click();
    await showsExactly([3, 2, 1].map(ticketNumber));
    await expect(header.getAttribute('aria-sort')).resolves.toBe('descending');
    await header.getByRole('button').click();
    await showsExactly([3, 2, 1].map(ticketNumber));
    await expect(header.getAttribute('aria-sort')).resolves.toBeNull();
  });

  it('exports the filtered tickets as CSV', async () => {
    await page.getByLabel('Search').fill('00003');
    await showsExactly([ticketNumber(3)]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    const file = await download.path();
    const text = readFileSync(file, 'utf8');
    const lines = text.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^"${ticketNumber(3)}",`));
    expect(text).not.toMatch(/Jane|Doe/);
    await page.getByLabel('Search').fill('');
    await showsExactly([3, 2, 1].map(ticketNumber));
  });

  it('shows a webhook sent after load in the table and the KPIs within 2 s', async () => {
    const sentAt = Date.now();
    await send(ticketBody(4, { price: { amount: '45.00', currency: 'CHF' } }));
    await rows(ticketNumber(4)).waitFor({ timeout: LIVE_DEADLINE_MS });
    await page
      .locator('[data-testid="kpi-sold"] .value', { hasText: /^4$/ })
      .waitFor({ timeout: Math.max(1, LIVE_DEADLINE_MS - (Date.now() - sentAt)) });
    await expect(kpi('revenue').textContent()).resolves.toBe('CHF 120.00');
    await expect(kpi('average').textContent()).resolves.toBe('CHF 30.00');
    const top = await page.locator('[data-testid="ticket-table"] tbody tr').first().getAttribute('data-ticket');
    expect(top).toBe(ticketNumber(4));
  });

  it('replaces the row of a cancelled ticket and counts the cancellation', async () => {
    await send(cancellation(1, 'order_mistake'));
    await rows(ticketNumber(1)).filter({ hasText: 'cancelled: order mistake' }).waitFor({ timeout: LIVE_DEADLINE_MS });
    await expect(rows(ticketNumber(1)).count()).resolves.toBe(1);
    await page
      .locator('[data-testid="kpi-cancellations"] .value', { hasText: /^1$/ })
      .waitFor({ timeout: LIVE_DEADLINE_MS });
    await expect(kpi('sold').textContent()).resolves.toBe('3');
    await expect(kpi('revenue').textContent()).resolves.toBe('CHF 95.00');
    await expect(page.locator('[data-testid="kpi-cancellations"] .sub').textContent()).resolves.toBe(
      '25.0 % of all tickets',
    );
  });

  it('opens a ticket and shows its webhook history with the raw payloads, numbered newest first', async () => {
    await rows(ticketNumber(1)).getByRole('button').click();
    const panel = page.locator('[data-testid="detail"]');
    await panel.getByRole('heading', { name: 'Webhook history (2)' }).waitFor({ timeout: 10_000 });
    const numbering = await panel
      .locator('ol.history > li')
      .evaluateAll((lis) => lis.map((li) => [(li as HTMLLIElement).value, li.querySelector('strong')?.textContent]));
    expect(numbering).toEqual([
      [2, 'ticket_updated'],
      [1, 'ticket_created'],
    ]);
    await panel.locator('summary').first().click();
    await expect(panel.locator('pre').first().textContent()).resolves.toContain(
      '"cancellationReason": "order_mistake"',
    );
    await panel.getByRole('button', { name: 'Close the ticket detail' }).click();
    await expect(panel.count()).resolves.toBe(0);
  });

  it('Esc closes the panel from anywhere and the focus returns to the row', async () => {
    await rows(ticketNumber(2)).getByRole('button').click();
    const panel = page.locator('[data-testid="detail"]');
    await panel.waitFor();
    // Focus far from the panel: the search box.
    await page.getByLabel('Search').focus();
    await page.keyboard.press('Escape');
    await expect(panel.count()).resolves.toBe(0);
    await page.waitForFunction(
      (n) => document.activeElement?.closest('tr')?.getAttribute('data-ticket') === n,
      ticketNumber(2),
      { timeout: 5000 },
    );
  });

  it('opens the pipeline errors by reason', async () => {
    const card = page.getByTestId('kpi-errors');
    await card.getByRole('button', { name: /reasons/ }).click();
    await page.getByTestId('errors-by-reason').waitFor();
    await expect(card.getByRole('button', { name: /reasons/ }).getAttribute('aria-expanded')).resolves.toBe('true');
    await card.getByRole('button', { name: /reasons/ }).click();
    await expect(page.getByTestId('errors-by-reason').count()).resolves.toBe(0);
  });

  it('after the bridge restarts, shows the tickets sent meanwhile exactly once', async () => {
    const port = bridge.port;
    await bridge.stop();
    await page
      .locator('[data-testid="connection"]', { hasText: /Reconnecting|Offline since \d\d:\d\d/ })
      .waitFor({ timeout: 10_000 });
    // Not live: the figures say how old they are, and the rate is not pretended.
    await page.getByTestId('stale').waitFor({ timeout: 5_000 });
    await expect(kpi('rate').textContent()).resolves.toBe('—');
    await send(ticketBody(5));
    await send(ticketBody(6));
    await relayed({ [ticketNumber(5)]: 'valid', [ticketNumber(6)]: 'valid' });
    bridge = await bridgeOn(port);
    await page.locator('[data-testid="connection"]', { hasText: 'Live' }).waitFor({ timeout: 15_000 });
    await rows(ticketNumber(5)).waitFor({ timeout: 10_000 });
    await rows(ticketNumber(6)).waitFor({ timeout: 10_000 });
    // Let any replay and the API resync both land before counting.
    await page.locator('[data-testid="kpi-sold"] .value', { hasText: /^5$/ }).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(1500);
    expect(await shown()).toEqual([6, 5, 1, 4, 3, 2].map(ticketNumber));
    await expect(kpi('sold').textContent()).resolves.toBe('5');
    await expect(kpi('revenue').textContent()).resolves.toBe('CHF 145.00');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-after-restart.png'), fullPage: true });
  });

  it.each([390, 768, 1280, 1440, 1920])(
    'lays out at %i px: nothing sticks out, columns fit, header sticky, revenue fits',
    async (width) => {
      await page.setViewportSize({ width, height: 900 });
      // Chart.js follows a resize on its next animation frame: wait for the layout to settle.
      await page.waitForFunction(
        () => document.documentElement.scrollWidth <= document.documentElement.clientWidth,
        undefined,
        { timeout: 5000 },
      );
      await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${width}.png`), fullPage: true });
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBe(0);
      // The table fits its region: no sideways scrolling at any width (columns collapse or become cards).
      const table = await page
        .getByTestId('ticket-table')
        .evaluate((t) => ({ table: t.scrollWidth, region: (t.parentElement as HTMLElement).clientWidth }));
      expect(table.table).toBeLessThanOrEqual(table.region);
      const revenue = await page
        .locator('[data-testid="kpi-revenue"] .value')
        .first()
        .evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(revenue.scroll).toBeLessThanOrEqual(revenue.client);
      await expect(
        page
          .locator('[data-testid="ticket-table"] thead th')
          .first()
          .evaluate((th) => getComputedStyle(th).position),
      ).resolves.toBe('sticky');
      const row = rows(ticketNumber(6));
      if (width < 768) {
        // Cards: ticket, event, price and status, no column headings to scroll past.
        await expect(row.evaluate((tr) => getComputedStyle(tr).display)).resolves.toBe('grid');
        for (const cls of ['ticket', 'event', 'price', 'status'])
          await expect(row.locator(`.${cls}`).isVisible()).resolves.toBe(true);
      } else {
        await expect(row.evaluate((tr) => getComputedStyle(tr).display)).resolves.toBe('table-row');
        for (const name of ['Ticket', 'Event', 'Price', 'Status'])
          await expect(page.getByRole('columnheader', { name: new RegExp(name) }).isVisible()).resolves.toBe(true);
      }
    },
  );

  it('has the detail panel first on a narrow screen', async () => {
    await page.setViewportSize({ width: 390, height: 900 });
    await rows(ticketNumber(6)).getByRole('button').click();
    const panel = page.locator('[data-testid="detail"]');
    await panel.waitFor();
    const [panelTop, tableTop] = await Promise.all([
      panel.boundingBox(),
      page.getByTestId('ticket-table').boundingBox(),
    ]);
    expect(panelTop!.y).toBeLessThan(tableTop!.y);
    await page.keyboard.press('Escape');
    await expect(panel.count()).resolves.toBe(0);
    await page.setViewportSize({ width: 1440, height: 1000 });
  });

  it.each(['light', 'dark'])('has no serious or critical axe violations in %s mode', async (theme) => {
    await page.getByTestId('theme').selectOption(theme);
    await expect(page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe(theme);
    await page
      .getByTestId('kpi-errors')
      .getByRole('button', { name: /reasons/ })
      .click();
    const violations = await axeViolations(page);
    await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${theme}.png`), fullPage: true });
    await page
      .getByTestId('kpi-errors')
      .getByRole('button', { name: /reasons/ })
      .click();
    expect(violations).toEqual([]);
  });

  it('charts a date range and labels times with the chosen zone', async () => {
    const canvas = page.locator('.charts figure').first().locator('canvas');
    await page.getByTestId('sales-range').selectOption('today');
    await page.locator('.charts figure').first().getByText('Sales per hour, today').waitFor();
    await waitUntil(
      async () => ((await canvas.getAttribute('aria-label'))?.startsWith('6 tickets') ? true : undefined),
      10_000,
      "today's sales chart",
    );
    await page.getByTestId('sales-range').selectOption('hour');
    await page.getByTestId('zone').selectOption('UTC');
    await page.getByRole('columnheader', { name: /Sold \(UTC\)/ }).waitFor();
    await page.getByTestId('zone').selectOption('Europe/Zurich');
    await page.getByRole('columnheader', { name: /Sold \(CES?T\)/ }).waitFor();
  });

  it('says in plain words when the API is down, the raw error only under details', async () => {
    // A dashboard server whose functions host is gone: nothing listens on its port.
    const down = await startDashboardServer({
      port: 0,
      hostname: '127.0.0.1',
      distDir: DASHBOARD_DIST,
      functionsUrl: 'http://127.0.0.1:9',
      bridgeUrl: bridge.url,
    });
    const other = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await other.goto(down.url);
      const banner = other.getByTestId('load-error');
      await banner.waitFor({ timeout: 15_000 });
      await expect(banner.locator('p').first().textContent()).resolves.toContain('cannot reach its data right now');
      await expect(banner.locator('p').first().textContent()).resolves.not.toMatch(/ECONNREFUSED|502/);
      await expect(banner.locator('code').isVisible()).resolves.toBe(false);
      await banner.getByText('Technical details').click();
      await expect(banner.locator('code').textContent()).resolves.toMatch(/502|unavailable/);
    } finally {
      await other.close();
      await down.stop();
    }
  });

  it('below 1440 px, the Type column hidden, the columns fill the table frame to its right edge, spacer rows too', async () => {
    // More tickets than the short window shows, so the virtual list adds a spacer row, which spans
    // every column, hidden ones included.
    const more = Array.from({ length: 20 }, (_, i) => 100 + i);
    for (const n of more) await send(ticketBody(n));
    await relayed(Object.fromEntries(more.map((n) => [ticketNumber(n), 'valid' as const])));
    const narrow = await browser.newPage({ viewport: { width: 1280, height: 300 } });
    try {
      await narrow.goto(dashboard.url);
      const table = narrow.getByTestId('ticket-table');
      await table.locator('[data-ticket]').first().waitFor();
      await expect(table.locator('tbody tr.pad').count()).resolves.toBeGreaterThan(0);
      await expect(table.locator('thead th.c-type').isVisible()).resolves.toBe(false);
      // The frame is the table's scrolling box (its parent), whose border the user sees.
      const [frame, status] = await Promise.all([
        table.locator('xpath=..').boundingBox(),
        table.getByRole('columnheader', { name: 'Status' }).boundingBox(),
      ]);
      expect(Math.round(frame!.x + frame!.width - (status!.x + status!.width))).toBeLessThanOrEqual(1);
    } finally {
      await narrow.close();
    }
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
