import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { silentLogger } from '../../functions/src/runtime/logger';
import { startBridge, type RunningBridge } from '../../infra/src/bridge/bridge';
import { loadBridgeConfig } from '../../infra/src/bridge/config';
import { startDashboardServer, type RunningDashboardServer } from '../../infra/src/dashboard-server/server';
import { CHROMIUM_PATH, TEST_RABBITMQ_URL } from '../support/env';
import { startTestStack, type TestStack } from '../support/host';
import { waitUntil } from '../support/wait';
import { postWebhook, ticketBody } from '../support/webhooks';

/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the real
 * stack: an in-process functions host, the SSE bridge on the same database and topology, and
 * the production dashboard server over the built app.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dashboard', 'dist');
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
const consoleErrors: string[] = [];

function bridgeOn(port: number): Promise<RunningBridge> {
  const config = loadBridgeConfig({ DATABASE_URL: stack.db.url, RABBITMQ_URL: TEST_RABBITMQ_URL, PETZI_TOPOLOGY_PREFIX: stack.prefix });
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
      return Object.entries(expected).every(([n, s]) => items.some((i) => i.number === n && i.status === s)) ? true : undefined;
    },
    15_000,
    `tickets ${Object.keys(expected).join(', ')} in the projection`,
  );
}

const rows = (number: string) => page.locator(`[data-testid="ticket-table"] tbody tr[data-ticket="${number}"]`);
const kpi = (name: string) => page.locator(`[data-testid="kpi-${name}"] .value`).first();

beforeAll(async () => {
  if (!existsSync(path.join(DIST, 'index.html'))) {
    // vite is ESM-only and jest's module loader cannot load it, so build in a child process.
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'dashboard/vite.config.ts', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startTestStack();
  for (const n of [1, 2, 3]) await send(ticketBody(n));
  await relayed({ [ticketNumber(1)]: 'valid', [ticketNumber(2)]: 'valid', [ticketNumber(3)]: 'valid' });
  bridge = await bridgeOn(0);
  dashboard = await startDashboardServer({ port: 0, hostname: '127.0.0.1', distDir: DIST, functionsUrl: stack.url, bridgeUrl: bridge.url });
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
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
    const order = await page.locator('[data-testid="ticket-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-ticket')));
    expect(order).toEqual([ticketNumber(3), ticketNumber(2), ticketNumber(1)]);
    await expect(kpi('sold').textContent()).resolves.toBe('3');
    await expect(kpi('revenue').textContent()).resolves.toBe('CHF 75.00');
    await expect(kpi('average').textContent()).resolves.toBe('CHF 25.00');
    await page.locator('[data-testid="connection"]', { hasText: 'Live' }).waitFor({ timeout: 10_000 });
    await expect(page.getByRole('columnheader', { name: 'Status' }).count()).resolves.toBe(1);
    await expect(page.getByLabel('Event', { exact: true }).count()).resolves.toBe(1);
    await expect(page.getByLabel('Category', { exact: true }).count()).resolves.toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  it('filters the table by event', async () => {
    await page.getByLabel('Event', { exact: true }).selectOption({ label: 'Test Event 1' });
    const shown = await page.locator('[data-testid="ticket-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-ticket')));
    expect(shown).toEqual([ticketNumber(1)]);
    await page.getByLabel('Event', { exact: true }).selectOption({ value: '' });
    await expect(page.locator('[data-testid="ticket-table"] tbody tr').count()).resolves.toBe(3);
  });

  it('shows a webhook sent after load in the table and the KPIs within 2 s', async () => {
    const sentAt = Date.now();
    await send(ticketBody(4, { price: { amount: '45.00', currency: 'CHF' } }));
    await rows(ticketNumber(4)).waitFor({ timeout: LIVE_DEADLINE_MS });
    await page.locator('[data-testid="kpi-sold"] .value', { hasText: /^4$/ }).waitFor({ timeout: Math.max(1, LIVE_DEADLINE_MS - (Date.now() - sentAt)) });
    await expect(kpi('revenue').textContent()).resolves.toBe('CHF 120.00');
    await expect(kpi('average').textContent()).resolves.toBe('CHF 30.00');
    const top = await page.locator('[data-testid="ticket-table"] tbody tr').first().getAttribute('data-ticket');
    expect(top).toBe(ticketNumber(4));
  });

  it('replaces the row of a cancelled ticket and counts the cancellation', async () => {
    await send(cancellation(1, 'order_mistake'));
    await rows(ticketNumber(1)).filter({ hasText: 'cancelled: order mistake' }).waitFor({ timeout: LIVE_DEADLINE_MS });
    await expect(rows(ticketNumber(1)).count()).resolves.toBe(1);
    await page.locator('[data-testid="kpi-cancellations"] .value', { hasText: /^1$/ }).waitFor({ timeout: LIVE_DEADLINE_MS });
    await expect(kpi('sold').textContent()).resolves.toBe('3');
    await expect(kpi('revenue').textContent()).resolves.toBe('CHF 95.00');
    await expect(page.locator('[data-testid="kpi-cancellations"] .sub').textContent()).resolves.toBe('25.0 % of all tickets');
  });

  it('opens a ticket and shows its webhook history with the raw payloads', async () => {
    await rows(ticketNumber(1)).getByRole('button').click();
    const panel = page.locator('[data-testid="detail"]');
    await panel.getByRole('heading', { name: 'Webhook history (2)' }).waitFor({ timeout: 10_000 });
    await panel.locator('summary').first().click();
    await expect(panel.locator('pre').first().textContent()).resolves.toContain('"cancellationReason": "order_mistake"');
    await panel.getByRole('button', { name: 'Close the ticket detail' }).click();
    await expect(panel.count()).resolves.toBe(0);
  });

  it('after the bridge restarts, shows the tickets sent meanwhile exactly once', async () => {
    const port = bridge.port;
    await bridge.stop();
    await page.locator('[data-testid="connection"]', { hasText: /Reconnecting|Offline/ }).waitFor({ timeout: 10_000 });
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
    const all = await page.locator('[data-testid="ticket-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-ticket')));
    expect(all).toEqual([6, 5, 1, 4, 3, 2].map(ticketNumber));
    await expect(kpi('sold').textContent()).resolves.toBe('5');
    await expect(kpi('revenue').textContent()).resolves.toBe('CHF 145.00');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-after-restart.png'), fullPage: true });
  });

  it('fits a 360 px wide screen', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    // Chart.js follows a resize on its next animation frame: wait for the layout to settle.
    await page.waitForFunction(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth, undefined, { timeout: 5000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-360.png'), fullPage: true });
    // Nothing sticks out sideways: only the table scrolls, inside its own region.
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5 && !el.closest('[role="region"]'))
        .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`),
    );
    expect(wide).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
