import type { Browser, BrowserContext } from 'playwright-core';
import { startDashboardServer, type RunningDashboardServer } from '../../dashboard/server/src/server';
import { DASHBOARD_DIST, ensureDashboardBuilt, launchChromium } from '../support/browser';
import { startDashboardStack, type DashboardStack } from '../support/dashboardStack';
import type { TestStack } from '../support/host';
import { postWebhook, ticketBody } from '../support/webhooks';

/**
 * The dashboard is the one browser door and asks who you are: in a real Chromium, against a
 * functions host and a bridge that both require PETZI_API_KEY, through the dashboard server
 * holding that key and a login.
 */
const API_KEY = 'dash-api-key-71c3e9a04b';
const USER = 'venue';
const PASSWORD = 'correct horse battery staple';
const TOKEN = 'one-click-token-5e2b8d';
const ticketNumber = (n: number) => `TEST${String(n).padStart(8, '0')}`;

let running: DashboardStack;
let stack: TestStack;
let dashboard: RunningDashboardServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Every header and URL any page sent, to show the key never passed through a browser. */
const sentByBrowser: string[] = [];

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.on('request', (request) => sentByBrowser.push(`${request.url()} ${JSON.stringify(request.headers())}`));
  contexts.push(context);
  return context;
}

beforeAll(async () => {
  ensureDashboardBuilt();
  running = await startDashboardStack({
    apiKey: API_KEY,
    login: { user: USER, password: PASSWORD, loginToken: TOKEN },
  });
  ({ stack, dashboard } = running);
  expect((await postWebhook(stack.url, ticketBody(1))).status).toBe(200);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await running?.stop();
});

describe('logging in to the dashboard in a browser', () => {
  it('sends a browser without a session to the login form; the data routes answer it 401', async () => {
    const page = await (await newContext()).newPage();
    await page.goto(dashboard.url);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    // From a same-origin page without the login page's CSP, which allows no fetch at all.
    await page.goto(`${dashboard.url}/healthz`);
    const statuses = await page.evaluate(async () =>
      Promise.all(['/api/stats', '/api/tickets', '/events'].map(async (u) => (await fetch(u)).status)),
    );
    expect(statuses).toEqual([401, 401, 401]);
  });

  it('refuses a wrong password, and logs in with the right one: live tickets, a cookie no script can read', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${dashboard.url}/login`);
    await page.getByLabel('User').fill(USER);
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('login-error').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await context.cookies()).toEqual([]);

    await page.getByLabel('User').fill(USER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page
      .locator(`[data-testid="ticket-table"] tbody tr[data-ticket="${ticketNumber(1)}"]`)
      .waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="connection"]', { hasText: 'Live' }).waitFor({ timeout: 10_000 });
    expect((await postWebhook(stack.url, ticketBody(2))).status).toBe(200);
    await page
      .locator(`[data-testid="ticket-table"] tbody tr[data-ticket="${ticketNumber(2)}"]`)
      .waitFor({ timeout: 15_000 });

    const [session] = await context.cookies();
    expect(session).toMatchObject({
      name: 'petzi_session',
      httpOnly: true,
      sameSite: 'Strict',
      secure: false,
      path: '/',
    });
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.content()).not.toContain(API_KEY);

    // Logging out is a same-origin POST; the session is gone on the server, not just in this browser.
    const stale = `petzi_session=${session.value}`;
    await page.evaluate(async () => void (await fetch('/logout', { method: 'POST' })));
    expect(await page.evaluate(async () => (await fetch('/api/stats')).status)).toBe(401);
    expect((await fetch(`${dashboard.url}/api/stats`, { headers: { cookie: stale } })).status).toBe(401);
  });

  it('logs in once with the one-click token URL, redirected to the URL without it; the token is then spent', async () => {
    const page = await (await newContext()).newPage();
    await page.goto(`${dashboard.url}/?token=${TOKEN}&view=all`);
    expect(page.url()).toBe(`${dashboard.url}/?view=all`);
    await page
      .locator(`[data-testid="ticket-table"] tbody tr[data-ticket="${ticketNumber(1)}"]`)
      .waitFor({ timeout: 15_000 });

    const again = await (await newContext()).newPage();
    const response = await again.goto(`${dashboard.url}/?token=${TOKEN}`);
    expect(response?.status()).toBe(401);
    await again.getByTestId('login-error').waitFor();
  });

  it('never lets the API key reach a browser', () => {
    expect(sentByBrowser.length).toBeGreaterThan(0);
    expect(sentByBrowser.filter((line) => line.includes(API_KEY))).toEqual([]);
  });
});

describe('the login door without a browser', () => {
  const form = (user: string, password: string) => new URLSearchParams({ user, password }).toString();
  const post = (headers: Record<string, string>, body = form(USER, PASSWORD)) =>
    fetch(`${dashboard.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });

  it('refuses a login without an Origin, or from another origin, even with the right password (403 JSON)', async () => {
    for (const headers of [{}, { origin: 'https://evil.example' }, { origin: 'null' }] as Array<
      Record<string, string>
    >) {
      const response = await post(headers);
      expect(response.status).toBe(403);
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(((await response.json()) as { error: string }).error).toMatch(/Origin/);
    }
  });

  it('sets the session cookie for its own origin, and the proxied API then answers with the key it adds', async () => {
    const response = await post({ origin: dashboard.url });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^petzi_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const stats = await fetch(`${dashboard.url}/api/stats`, { headers: { cookie: cookie.split(';')[0] } });
    expect(stats.status).toBe(200);
    // Without the dashboard server's key the functions host itself refuses the same route.
    expect((await fetch(`${stack.url}/api/stats`)).status).toBe(401);
  });

  it('answers GET /auth, the check a front proxy (nginx auth_request) makes, 204 with a live session and 401 without', async () => {
    const login = await post({ origin: dashboard.url });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    expect((await fetch(`${dashboard.url}/auth`, { headers: { cookie } })).status).toBe(204);
    const refused = await fetch(`${dashboard.url}/auth`);
    expect(refused.status).toBe(401);
    await refused.arrayBuffer();
  });

  it('marks the cookie Secure when the browser reached it over TLS (X-Forwarded-Proto from the TLS proxy)', async () => {
    const host = new URL(dashboard.url).host;
    const response = await post({ origin: `https://${host}`, 'x-forwarded-proto': 'https' });
    expect(response.status).toBe(303);
    expect(response.headers.get('set-cookie')).toMatch(/; Secure$/);
  });

  it('answers a malformed or oversized login form with a clear 4xx, never a session', async () => {
    const origin = { origin: dashboard.url };
    expect((await post(origin, '%%%&&&=')).status).toBe(401);
    const huge = await post(origin, `user=${'a'.repeat(10_000)}`);
    expect(huge.status).toBe(413);
    expect(huge.headers.get('set-cookie')).toBeNull();
  });

  it('refuses every login from an address, the right one too, once it has failed too often this minute (429 + Retry-After)', async () => {
    const guarded = await startDashboardServer({
      port: 0,
      distDir: DASHBOARD_DIST,
      functionsUrl: stack.url,
      bridgeUrl: running.bridge.url,
      login: { user: USER, password: PASSWORD },
      loginFailuresPerMinute: 2,
    });
    try {
      const attempt = (password: string) =>
        fetch(`${guarded.url}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: guarded.url },
          body: form(USER, password),
        });
      expect((await attempt('guess1')).status).toBe(401);
      expect((await attempt('guess2')).status).toBe(401);
      const blocked = await attempt(PASSWORD);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(blocked.headers.get('set-cookie')).toBeNull();
    } finally {
      await guarded.stop();
    }
  });

  it('logs out only with POST', async () => {
    const response = await fetch(`${dashboard.url}/logout`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});
