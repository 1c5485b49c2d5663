import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEFAULT_DASHBOARD_USER, type DashboardLogin } from '../../dashboard/server/src/login';
import { startDashboardServer, type RunningDashboardServer } from '../../dashboard/server/src/server';
import { randomSecret, readEnv } from '../../functions/src';
import { steadyLoad, type Reply } from '../faults/load';
import { FaultStack, SECRET } from '../faults/stack';
import { PayloadGenerator, todayUtc } from '../../simulator/src/payloads';
import { API_KEY, BENCH_VARIABLES, ROOT, adminQuery, cpuCalibrationMs, percentile } from './support';

const HELP = `Usage: npm run bench:dashboard [-- --stored 5000] [--rate 100] [--seconds 30] [--label after] [--profile]

A presale opening as the box office sees it: a real Chromium (Debian's, through playwright-core)
on the production dashboard server, over the real pipeline (functions host and SSE bridge as
child processes, real Postgres and RabbitMQ), with --stored tickets already in the projection,
then --rate webhooks/s for --seconds. Writes bench-results/dashboard.json (the run is kept under
its --label, so a "before" and an "after" sit side by side) and prints the figures:

  visible   from each webhook's 200 to its row in the page's DOM (a MutationObserver stamps the
            first time each ticket number appears), p50/p95/p99/max
  long      long tasks during the burst (PerformanceObserver 'longtask'): count, total, longest
  frames    animation frames dropped during the burst (a requestAnimationFrame loop: each gap of
            n frame periods drops n-1)
  heap      JS heap in use after a forced GC, before the burst and after it
  seen      the table draws only the rows in view: a row pushed below the window within one
            frame is never drawn live; after the burst the table is scrolled through, and a ticket
            not found even then is "missing" (lost)

--profile writes the page's CPU profile of the burst to bench-results/dashboard.cpuprofile and
lists its heaviest functions.

Private by default, as npm start runs it: the children check a generated PETZI_API_KEY, the
dashboard server adds it and asks for a login (a generated DASHBOARD_PASSWORD), and the browser
logs in through its /login form before the page is measured.`;

const FRAME_MS = 1000 / 60;

export interface ScenarioOptions {
  stored: number;
  rate: number;
  seconds: number;
  viewport?: { width: number; height: number };
  /** Where the dashboard app is built (vite build) and served from. */
  distDir?: string;
  log?: (line: string) => void;
  /** Writes a CPU profile of the page during the burst here, and returns its heaviest functions. */
  profileFile?: string;
  /** What a test does in the page while the burst runs, and once every ticket has shown. */
  during?: (page: Page) => Promise<void>;
  after?: (page: Page) => Promise<void>;
}

export interface ScenarioResult {
  stored: number;
  rate: number;
  seconds: number;
  sent: number;
  ok: number;
  /** Accepted tickets whose row appeared while they were the newest (the 200-to-visible figures). */
  seenLive: number;
  /**
   * Rows inserted and pushed below the scrolled window within one frame, so never drawn live (the
   * table draws only the rows in view); found afterwards by scrolling the table through.
   */
  seenByScrolling: number;
  /** Accepted tickets whose row never appeared, not even by scrolling: lost. */
  missing: string[];
  visibleMs: { p50: number; p95: number; p99: number; max: number };
  longTasks: { count: number; totalMs: number; longestMs: number };
  frames: { expected: number; dropped: number };
  heapMb: { before: number; after: number };
  /** First paint of the table with the stored tickets, from navigation start. */
  firstTableMs: number;
  /** With profileFile: the page's functions with the most self time during the burst. */
  hotFunctions?: Array<{ fn: string; selfMs: number }>;
}

/** Builds the dashboard app once if it is not built yet (vite is ESM-only, so in a child). */
export function ensureDashboardBuilt(distDir = path.join(ROOT, 'dashboard', 'dist'), force = false): string {
  if (force || !existsSync(path.join(distDir, 'index.html'))) {
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '--config',
        'dashboard/vite.config.ts',
        '--logLevel',
        'warn',
      ],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    );
  }
  return distDir;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: readEnv.read(process.env, BENCH_VARIABLES.CHROMIUM_PATH),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/**
 * Installed before the app's own scripts: stamps the first sight of every ticket number, keeps
 * the long tasks, and counts animation frames between two marks.
 */
function instrumentPage(): void {
  interface Probe {
    seen: Map<string, number>;
    longTasks: Array<{ start: number; duration: number }>;
    frameGaps: number[];
    counting: boolean;
  }
  const probe: Probe = { seen: new Map(), longTasks: [], frameGaps: [], counting: false };
  (window as unknown as { __probe: Probe }).__probe = probe;
  const stamp = (el: Element) => {
    const n = el.getAttribute('data-ticket');
    if (n && !probe.seen.has(n)) probe.seen.set(n, Date.now());
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') stamp(r.target as Element);
      for (const node of Array.from(r.addedNodes)) {
        if (!(node instanceof Element)) continue;
        stamp(node);
        node.querySelectorAll('[data-ticket]').forEach(stamp);
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ticket'] });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  let last = 0;
  const frame = (t: number) => {
    if (probe.counting && last > 0) probe.frameGaps.push(t - last);
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

interface ProbeReadout {
  seen: Array<[string, number]>;
  longTasks: Array<{ start: number; duration: number }>;
  frameGaps: number[];
  now: number;
}

const readProbe = (page: Page): Promise<ProbeReadout> =>
  page.evaluate(() => {
    const p = (
      window as unknown as {
        __probe: {
          seen: Map<string, number>;
          longTasks: Array<{ start: number; duration: number }>;
          frameGaps: number[];
        };
      }
    ).__probe;
    return { seen: [...p.seen], longTasks: p.longTasks, frameGaps: p.frameGaps, now: performance.now() };
  });

async function heapMb(page: Page): Promise<number> {
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('HeapProfiler.collectGarbage');
    const { usedSize } = await session.send('Runtime.getHeapUsage');
    return Math.round((usedSize / 1024 / 1024) * 10) / 10;
  } finally {
    await session.detach();
  }
}

/** Scrolls the ticket table from top to bottom, a window at a time, so every row is drawn once. */
async function scrollThrough(page: Page): Promise<void> {
  const region = page.locator('[data-testid="ticket-table"]').locator('xpath=..');
  for (let i = 0; i < 10_000; i += 1) {
    const done = await region.evaluate((el) => {
      const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
      el.scrollTop += Math.max(1, el.clientHeight - 40);
      return atEnd;
    });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    if (done) break;
  }
  await region.evaluate((el) => {
    el.scrollTop = 0;
  });
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** Self time per function of a CDP CPU profile, heaviest first. */
function hottest(
  profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] },
  top = 15,
): Array<{ fn: string; selfMs: number }> {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  (profile.samples ?? []).forEach((id, i) => {
    const node = byNode.get(id);
    if (!node) return;
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
  });
  return [...self]
    .map(([fn, ms]) => ({ fn, selfMs: Math.round(ms) }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top);
}

/** Ticket numbers of accepted webhooks, by webhook id. */
async function numbersOf(stack: FaultStack, replies: Reply[]): Promise<Map<number, string>> {
  const ids = replies.flatMap((r) => (r.status === 200 && r.id !== undefined ? [r.id] : []));
  const rows = await adminQuery<{ id: string; ticket_number: string }>(
    stack.databaseUrl,
    'SELECT id, ticket_number FROM webhook_event WHERE id = ANY($1::bigint[])',
    [ids],
  );
  return new Map(rows.map((r) => [Number(r.id), r.ticket_number]));
}

async function waitForProjection(stack: FaultStack, count: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const [{ n }] = await adminQuery<{ n: string }>(stack.databaseUrl, 'SELECT count(*) AS n FROM ticket');
    if (Number(n) >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${n} of ${count} tickets reached the projection`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function bodies(seed: number, count: number): string[] {
  const generator = new PayloadGenerator({ seed, mode: 'ticket_created', baseDate: todayUtc() });
  return Array.from({ length: count }, () => generator.next().body);
}

/** Through the login form, as the box office does; the form redirects to the app. */
async function logIn(page: Page, dashboardUrl: string, login: DashboardLogin): Promise<void> {
  await page.goto(`${dashboardUrl}/login`);
  await page.getByLabel('User').fill(login.user);
  await page.getByLabel('Password').fill(login.password);
  await Promise.all([page.waitForURL(`${dashboardUrl}/`), page.getByRole('button', { name: 'Log in' }).click()]);
}

/** The whole scenario on a fresh stack and a fresh browser; everything it starts it stops. */
export async function runDashboardScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const log = options.log ?? (() => undefined);
  const distDir = options.distDir ?? ensureDashboardBuilt();
  const stack = await FaultStack.create(`dash${options.stored}x${options.rate}`, { direct: true });
  let dashboard: RunningDashboardServer | undefined;
  let browser: Browser | undefined;
  try {
    const host = await stack.startHost();
    const bridge = await stack.startBridge();
    log(`storing ${options.stored} tickets`);
    const seeded = await steadyLoad({
      target: () => host.url,
      secret: SECRET,
      rate: 500,
      count: options.stored,
      seed: 1,
      bodies: bodies(1, options.stored),
      concurrency: 64,
    });
    const refused = seeded.filter((r) => r.status !== 200).length;
    if (refused > 0) throw new Error(`${refused} of the stored tickets were refused`);
    await waitForProjection(stack, options.stored);

    const login: DashboardLogin = { user: DEFAULT_DASHBOARD_USER, password: randomSecret() };
    dashboard = await startDashboardServer({
      port: 0,
      hostname: '127.0.0.1',
      distDir,
      functionsUrl: host.url,
      bridgeUrl: bridge.url,
      apiKey: API_KEY,
      login,
    });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1440, height: 1000 } });
    await page.addInitScript(instrumentPage);
    await logIn(page, dashboard.url, login);
    await page.locator('[data-ticket]').first().waitFor({ timeout: 30_000 });
    const firstTableMs = Math.round(await page.evaluate(() => performance.now()));
    await page.locator('[data-testid="connection"]', { hasText: 'Live' }).waitFor({ timeout: 30_000 });
    // Let the first load's work finish so the burst is measured on its own.
    await page.waitForTimeout(1000);
    const heapBefore = await heapMb(page);

    const profiler = options.profileFile ? await page.context().newCDPSession(page) : undefined;
    if (profiler) {
      await profiler.send('Profiler.enable');
      await profiler.send('Profiler.start');
    }
    log(`sending ${options.rate}/s for ${options.seconds} s`);
    const burstStart = await page.evaluate(() => {
      const p = (window as unknown as { __probe: { counting: boolean } }).__probe;
      p.counting = true;
      return performance.now();
    });
    const during = options.during?.(page);
    const replies = await steadyLoad({
      target: () => host.url,
      secret: SECRET,
      rate: options.rate,
      count: options.rate * options.seconds,
      seed: 2,
      bodies: bodies(2, options.rate * options.seconds),
      concurrency: 64,
    });
    await during;
    const numbers = await numbersOf(stack, replies);
    const accepted = replies.filter((r) => r.status === 200 && r.id !== undefined && numbers.has(r.id));
    const wanted = new Set(accepted.map((r) => numbers.get(r.id as number) as string));
    // Every accepted ticket should show; give a falling-behind page 30 s to catch up. The page
    // answers yes or no, so the polling costs it little.
    await page.evaluate(
      (numbers) => {
        (window as unknown as { __wanted: string[] }).__wanted = numbers;
      },
      [...wanted],
    );
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const done = await page.evaluate(() => {
        const w = window as unknown as { __wanted: string[]; __probe: { seen: Map<string, number> } };
        return w.__wanted.every((n) => w.__probe.seen.has(n));
      });
      if (done) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    let readout = await readProbe(page);
    const burstEnd = readout.now;
    await page.evaluate(() => {
      (window as unknown as { __probe: { counting: boolean } }).__probe.counting = false;
    });
    const seenLive = new Set(readout.seen.map(([n]) => n));
    let hotFunctions: ScenarioResult['hotFunctions'];
    if (profiler && options.profileFile) {
      const { profile } = await profiler.send('Profiler.stop');
      writeFileSync(options.profileFile, JSON.stringify(profile));
      hotFunctions = hottest(profile);
      await profiler.detach();
    }
    await scrollThrough(page);
    await page.waitForTimeout(2000);
    const heapAfter = await heapMb(page);
    readout = await readProbe(page);
    await options.after?.(page);

    const seenAt = new Map(readout.seen);
    const latencies = accepted
      .flatMap((r) => {
        const number = numbers.get(r.id as number) as string;
        const at = seenLive.has(number) ? seenAt.get(number) : undefined;
        return at === undefined || r.repliedAt === undefined ? [] : [Math.max(0, at - r.repliedAt)];
      })
      .sort((a, b) => a - b);
    const tasks = readout.longTasks.filter((t) => t.start >= burstStart && t.start <= burstEnd);
    const gaps = readout.frameGaps;
    return {
      stored: options.stored,
      rate: options.rate,
      seconds: options.seconds,
      sent: replies.length,
      ok: accepted.length,
      seenLive: [...wanted].filter((n) => seenLive.has(n)).length,
      seenByScrolling: [...wanted].filter((n) => !seenLive.has(n) && seenAt.has(n)).length,
      missing: [...wanted].filter((n) => !seenAt.has(n)),
      visibleMs: {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1] ?? NaN,
      },
      longTasks: {
        count: tasks.length,
        totalMs: Math.round(tasks.reduce((s, t) => s + t.duration, 0)),
        longestMs: Math.round(tasks.reduce((m, t) => Math.max(m, t.duration), 0)),
      },
      frames: {
        expected: Math.round(gaps.reduce((s, g) => s + g, 0) / FRAME_MS),
        dropped: gaps.reduce((s, g) => s + Math.max(0, Math.round(g / FRAME_MS) - 1), 0),
      },
      heapMb: { before: heapBefore, after: heapAfter },
      firstTableMs,
      hotFunctions,
    };
  } finally {
    await browser?.close();
    await dashboard?.stop();
    await stack.close();
  }
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(HELP);
    return;
  }
  const stored = Number(arg('--stored', '5000'));
  const rate = Number(arg('--rate', '100'));
  const seconds = Number(arg('--seconds', '30'));
  const label = arg('--label', 'latest');
  const profile = process.argv.includes('--profile');
  if (![stored, rate, seconds].every((n) => Number.isInteger(n) && n > 0))
    throw new Error('--stored, --rate and --seconds must be positive integers');
  const distDir = ensureDashboardBuilt(undefined, true);
  const calibrationBeforeMs = cpuCalibrationMs();
  const result = await runDashboardScenario({
    stored,
    rate,
    seconds,
    distDir,
    log: (line) => console.log(line),
    profileFile: profile ? path.join(ROOT, 'bench-results', 'dashboard.cpuprofile') : undefined,
  });
  const calibrationMs = { before: calibrationBeforeMs, after: cpuCalibrationMs() };
  const file = path.join(ROOT, 'bench-results', 'dashboard.json');
  mkdirSync(path.dirname(file), { recursive: true });
  let runs: Record<string, unknown> = {};
  try {
    runs = (JSON.parse(readFileSync(file, 'utf8')) as { runs?: Record<string, unknown> }).runs ?? {};
  } catch {
    runs = {};
  }
  runs[label] = {
    at: new Date().toISOString(),
    cpus: os.cpus().length,
    loadAverage: os.loadavg(),
    calibrationMs,
    ...result,
  };
  writeFileSync(file, `${JSON.stringify({ runs }, null, 2)}\n`);
  const { missing, ...figures } = result;
  console.log(JSON.stringify({ ...figures, missing: missing.length }, null, 2));
  console.log(`written to ${file} as "${label}"`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
