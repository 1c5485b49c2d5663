import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';
import { signPayload } from '../../../functions/src';
import { ensureAllImages, repoRoot } from '../../../tools/images/build';
import { runOk } from '../../../tools/images/docker';
import { openSse, type SseConnection } from '../../support/sse';
import { waitUntil } from '../../support/wait';
import { postWebhook, ticketBody } from '../../support/webhooks';
import { readRepoFile } from '../repo';
import { startComposeStack, type ComposeStack } from './composeStack';
import { logIn } from './dashboardLogin';
import { httpsRequest } from './http';
import { activeTargets, alertRuleNames, query } from './prometheus';

/**
 * The whole POC on a real Docker engine, scaled out: docker-compose.yml plus the test override
 * (local stand-in images, the project's local functions host), 3 functions replicas behind the
 * gateway nginx and 2 SSE bridges behind the dashboard's nginx, checked through published
 * 127.0.0.1 ports only, with the stack's own secrets (a test env file, never the example's);
 * then HTTPS on the same stack; then `down -v` leaves nothing behind.
 */
const FUNCTIONS = 3;
const BRIDGES = 2;
const WEBHOOKS = 45;
const SSE_CLIENTS = 12;
/** Clients opened at most while waiting for nginx to have put one on every bridge (it picks at random). */
const MAX_SSE_CLIENTS = 64;
const timings: Record<string, number> = {};

let stack: ComposeStack | undefined;
let downDone = false;
let session = '';
const clients: SseConnection[] = [];

function live(): ComposeStack {
  if (!stack) throw new Error('the stack did not start (see beforeAll)');
  return stack;
}

async function timed<T>(name: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const value = await step();
  timings[name] = Math.round((Date.now() - started) / 100) / 10;
  return value;
}

/** Runs tasks with at most `width` in flight. */
async function inPool<T>(items: T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
    }),
  );
}

function secret(): string {
  return live().secrets.PETZI_WEBHOOK_SECRET;
}

/** Clients connected to each bridge replica, read from each one's own /metrics (no scrape lag). */
async function clientsPerBridge(): Promise<number[]> {
  const probe = "fetch('http://127.0.0.1:5001/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))";
  return Promise.all(
    (await live().containers('sse-bridge')).map(async (id) => {
      const metrics = await runOk('docker', ['exec', id, 'node', '-e', probe]);
      const line = /^sse_clients_connected(?:\{[^}]*\})? (\d+)$/m.exec(metrics);
      if (!line) throw new Error(`bridge ${id} exposes no sse_clients_connected`);
      return Number(line[1]);
    }),
  );
}

function ticketNumber(data: string): string {
  return (JSON.parse(data) as { ticket: { number: string } }).ticket.number;
}

beforeAll(async () => {
  await timed('images', () => ensureAllImages());
  stack = await timed('build+up', () => startComposeStack({ scale: { functions: FUNCTIONS, 'sse-bridge': BRIDGES } }));
  session = await logIn(
    stack.url('PETZI_DASHBOARD_PORT'),
    stack.secrets.DASHBOARD_USER,
    stack.secrets.DASHBOARD_PASSWORD,
  );
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  // The last test takes the stack down and checks it; this only cleans up after a failure.
  if (stack && !downDone) await stack.down().catch((e: unknown) => process.stderr.write(`down failed: ${String(e)}\n`));
  process.stderr.write(`[containers] timings (s): ${JSON.stringify(timings)}\n`);
});

describe('the POC on a Docker engine, scaled out', () => {
  const sent: string[] = [];

  it(`runs ${FUNCTIONS} functions replicas and ${BRIDGES} bridges, none with a host port`, async () => {
    expect((await live().containers('functions')).length).toBe(FUNCTIONS);
    expect((await live().containers('sse-bridge')).length).toBe(BRIDGES);
    for (const service of ['functions', 'sse-bridge']) {
      for (const id of await live().containers(service)) {
        const published = await runOk('docker', ['port', id]);
        expect({ service, published }).toEqual({ service, published: '' });
      }
    }
  });

  it('publishes only the dashboard and the webhook port on every interface, every other port on 127.0.0.1', async () => {
    const bindings = async (service: string): Promise<string[]> => {
      const [id] = await live().containers(service);
      return (await runOk('docker', ['port', id]))
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    };
    const everywhere = (port: number) => expect.stringMatching(new RegExp(`^${port}/tcp -> 0\\.0\\.0\\.0:\\d+$`));
    const loopback = (port: number) => expect.stringMatching(new RegExp(`^${port}/tcp -> 127\\.0\\.0\\.1:\\d+$`));
    const expected: Record<string, unknown[]> = {
      dashboard: [everywhere(8080)],
      gateway: [everywhere(5000), loopback(5001)],
      db: [loopback(5432)],
      rabbitmq: [loopback(5672), loopback(15672)],
      azurite: [loopback(10000), loopback(10001), loopback(10002)],
      prometheus: [loopback(9090)],
      'dashboard-auth': [],
    };
    for (const [service, lines] of Object.entries(expected)) {
      const found = await bindings(service);
      // docker also lists an IPv6 line ([::]:port) for ports published on every interface.
      expect({ service, bindings: found.filter((l) => !l.includes('[::]')).sort() }).toEqual({
        service,
        bindings: expect.arrayContaining(lines),
      });
      expect({ service, count: found.filter((l) => !l.includes('[::]')).length }).toEqual({
        service,
        count: lines.length,
      });
      for (const line of found.filter((l) => l.includes('[::]')))
        expect({ service, line }).toEqual({ service, line: expect.stringMatching(/^(8080|5000)\/tcp/) });
    }
  });

  it('has RabbitMQ definitions loaded at boot with the user from .env and no guest (management API on its published port)', async () => {
    const definitions = JSON.parse(readRepoFile('infra/rabbitmq/definitions.json')) as {
      queues: Array<{ name: string }>;
      exchanges: Array<{ name: string; type: string }>;
    };
    const { RABBITMQ_USER, RABBITMQ_PASSWORD } = live().secrets;
    const guest = await fetch(`${live().url('PETZI_RABBITMQ_UI_PORT')}/api/whoami`, {
      headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
    });
    expect(guest.status).toBe(401);
    const auth = `Basic ${Buffer.from(`${RABBITMQ_USER}:${RABBITMQ_PASSWORD}`).toString('base64')}`;
    const get = async <T>(p: string): Promise<T> => {
      const res = await fetch(`${live().url('PETZI_RABBITMQ_UI_PORT')}${p}`, { headers: { authorization: auth } });
      expect(res.status).toBe(200);
      return (await res.json()) as T;
    };
    const queues = await get<Array<{ name: string }>>('/api/queues/%2F');
    const exchanges = await get<Array<{ name: string; type: string }>>('/api/exchanges/%2F');
    expect(queues.map((q) => q.name)).toEqual(expect.arrayContaining(definitions.queues.map((q) => q.name)));
    for (const e of definitions.exchanges)
      expect(exchanges).toContainEqual(expect.objectContaining({ name: e.name, type: e.type }));
    const users = await get<Array<{ name: string }>>('/api/users');
    expect(users.map((u) => u.name)).toEqual([RABBITMQ_USER]);
  });

  it('refuses /api and /events through the dashboard without a login, and sends pages to the login form', async () => {
    const dashboard = live().url('PETZI_DASHBOARD_PORT');
    const { PETZI_API_KEY } = live().secrets;
    for (const p of ['/api/stats', '/api/tickets', '/events']) {
      const res = await fetch(`${dashboard}${p}`);
      expect({ p, status: res.status, body: (await res.json()) as unknown }).toEqual({
        p,
        status: 401,
        body: { error: expect.any(String) },
      });
      // The API key is no substitute for the login: nginx drops a key the client sends.
      const keyed = await fetch(`${dashboard}${p}`, { headers: { 'x-functions-key': PETZI_API_KEY } });
      await keyed.body?.cancel();
      expect({ p, keyed: keyed.status }).toEqual({ p, keyed: 401 });
    }
    const page = await fetch(`${dashboard}/`, { redirect: 'manual' });
    await page.body?.cancel();
    expect({ status: page.status, location: page.headers.get('location') }).toEqual({
      status: 303,
      location: '/login',
    });
    const form = await fetch(`${dashboard}/login`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('<form');
    const stale = await fetch(`${dashboard}/api/stats`, { headers: { cookie: 'petzi_session=not-a-session' } });
    await stale.body?.cancel();
    expect(stale.status).toBe(401);
    // A wrong password gets no session; a login from another origin is refused outright.
    await expect(logIn(dashboard, live().secrets.DASHBOARD_USER, 'wrong')).rejects.toThrow(/login refused: 401/);
    const foreign = await fetch(`${dashboard}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      body: 'user=admin&password=x',
    });
    await foreign.body?.cancel();
    expect(foreign.status).toBe(403);
  });

  it('passes on only the allow-listed routes after the login, with its own key', async () => {
    const dashboard = live().url('PETZI_DASHBOARD_PORT');
    const tickets = await fetch(`${dashboard}/api/tickets`, {
      headers: { cookie: session, 'x-functions-key': 'not-the-key' },
    });
    await tickets.body?.cancel();
    expect(tickets.status).toBe(200);
    for (const p of ['/api/health', '/api/tickets/1/buyer', '/api/x/../health', '/api/tickets/1%2Fbuyer']) {
      const res = await fetch(`${dashboard}${p}`, { headers: { cookie: session } });
      expect({ p, status: res.status, body: (await res.json()) as unknown }).toEqual({
        p,
        status: 404,
        body: { error: expect.any(String) },
      });
    }
    const erase = await fetch(`${dashboard}/api/tickets/1/buyer`, { method: 'DELETE', headers: { cookie: session } });
    await erase.body?.cancel();
    expect(erase.status).toBe(403);
  });

  it('gives 401 on the functions port without a key, 200 with the key (header or code)', async () => {
    const gateway = live().url('PETZI_WEBHOOK_PORT');
    const { PETZI_API_KEY } = live().secrets;
    const bare = await fetch(`${gateway}/api/tickets`);
    expect({ status: bare.status, body: (await bare.json()) as unknown }).toEqual({
      status: 401,
      body: { error: expect.any(String) },
    });
    const wrong = await fetch(`${gateway}/api/tickets`, { headers: { 'x-functions-key': 'not-the-key' } });
    await wrong.body?.cancel();
    expect(wrong.status).toBe(401);
    const header = await fetch(`${gateway}/api/tickets`, { headers: { 'x-functions-key': PETZI_API_KEY } });
    await header.body?.cancel();
    expect(header.status).toBe(200);
    const code = await fetch(`${gateway}/api/tickets?code=${PETZI_API_KEY}`);
    await code.body?.cancel();
    expect(code.status).toBe(200);
    const liveness = await fetch(`${gateway}/healthz`);
    await liveness.body?.cancel();
    expect(liveness.status).toBe(200);
  });

  it(`connects at least ${SSE_CLIENTS} logged-in SSE clients through the dashboard's nginx, on every bridge`, async () => {
    const connect = async (): Promise<void> => {
      const client = await openSse(`${live().url('PETZI_DASHBOARD_PORT')}/events`, { headers: { cookie: session } });
      clients.push(client);
      expect(client.status).toBe(200);
      expect(client.headers.get('content-type')).toContain('text/event-stream');
    };
    for (let i = 0; i < SSE_CLIENTS; i++) await connect();
    // nginx picks a bridge address at random per request, so all of them may land on one bridge:
    // open more, one at a time, until every bridge has one (each bridge counts its own clients).
    const counted = async (): Promise<number[]> =>
      waitUntil(
        async () => {
          const perBridge = await clientsPerBridge();
          return perBridge.reduce((a, b) => a + b, 0) === clients.length ? perBridge : undefined;
        },
        30_000,
        `the bridges to count ${clients.length} clients`,
      );
    let perBridge = await counted();
    while (perBridge.some((n) => n === 0) && clients.length < MAX_SSE_CLIENTS) {
      await connect();
      perBridge = await counted();
    }
    process.stderr.write(`[containers] SSE clients per bridge: ${perBridge.join(', ')}\n`);
    expect(perBridge.length).toBe(BRIDGES);
    expect(perBridge.every((n) => n > 0)).toBe(true);
    // Prometheus scrapes every bridge replica and sees the same clients.
    const scraped = await waitUntil(
      async () => {
        const rows = await query(live().url('PETZI_PROMETHEUS_PORT'), 'sse_clients_connected{job="sse-bridge"}');
        const total = rows.reduce((n, r) => n + r.value, 0);
        return rows.length === BRIDGES && total === clients.length ? rows.map((r) => r.value) : undefined;
      },
      90_000,
      `Prometheus to see ${clients.length} clients on ${BRIDGES} bridges`,
    );
    expect([...scraped].sort()).toEqual([...perBridge].sort());
  });

  it(`answers 200 to ${WEBHOOKS} signed webhooks through the gateway on the webhook port`, async () => {
    const bodies = Array.from({ length: WEBHOOKS }, (_, i) => ticketBody(i + 1));
    await timed('webhooks', () =>
      inPool(bodies, 5, async (body) => {
        const reply = await postWebhook(live().url('PETZI_WEBHOOK_PORT'), body, { secret: secret() });
        expect({ status: reply.status, outcome: reply.json.status }).toEqual({ status: 200, outcome: 'success' });
        sent.push((JSON.parse(body) as { details: { ticket: { number: string } } }).details.ticket.number);
      }),
    );
    expect(new Set(sent).size).toBe(WEBHOOKS);
  });

  it('answers a repeated delivery as a duplicate and a bad signature with a JSON 401, through the gateway', async () => {
    const again = await postWebhook(live().url('PETZI_WEBHOOK_PORT'), ticketBody(1), { secret: secret() });
    expect({ status: again.status, outcome: again.json.status }).toEqual({ status: 200, outcome: 'duplicate' });
    const forged = await postWebhook(live().url('PETZI_WEBHOOK_PORT'), ticketBody(999), { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    expect(typeof forged.json.error).toBe('string');
  });

  it('stores every webhook once (Postgres on its published port)', async () => {
    const db = new Client({
      connectionString: `postgres://postgres:postgres@127.0.0.1:${live().ports.PETZI_DB_PORT}/petzi`,
    });
    await db.connect();
    try {
      const { rows } = await db.query<{ rows: string; distinct_hashes: string }>(
        'SELECT count(*) AS rows, count(DISTINCT body_sha256) AS distinct_hashes FROM webhook_event',
      );
      expect(rows[0]).toEqual({ rows: String(WEBHOOKS), distinct_hashes: String(WEBHOOKS) });
    } finally {
      await db.end();
    }
  });

  it('delivers every ticket to every SSE client exactly once', async () => {
    await timed('sse-delivery', () => Promise.all(clients.map((c) => c.waitFor(WEBHOOKS, 60_000))));
    for (const [i, client] of clients.entries()) {
      const numbers = client.events.filter((e) => e.event === 'ticket').map((e) => ticketNumber(e.data));
      expect({ client: i, count: numbers.length, tickets: [...numbers].sort() }).toEqual({
        client: i,
        count: WEBHOOKS,
        tickets: [...sent].sort(),
      });
    }
  });

  it('counts them in /api/stats through the dashboard', async () => {
    const res = await fetch(`${live().url('PETZI_DASHBOARD_PORT')}/api/stats`, { headers: { cookie: session } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ticketsSold: number }).ticketsSold).toBe(WEBHOOKS);
  });

  it('has Prometheus scraping every replica, the bridges and RabbitMQ, with the alerting rules loaded', async () => {
    const prometheus = live().url('PETZI_PROMETHEUS_PORT');
    const up = await waitUntil(
      async () => {
        const targets = (await activeTargets(prometheus)).filter((t) => t.labels.job !== 'cadvisor');
        const count = (job: string) => targets.filter((t) => t.labels.job === job && t.health === 'up').length;
        return count('functions') === FUNCTIONS &&
          count('sse-bridge') === BRIDGES &&
          count('rabbitmq') === 1 &&
          targets.every((t) => t.health === 'up')
          ? targets
          : undefined;
      },
      90_000,
      'every functions, sse-bridge and rabbitmq target up',
    );
    expect(up.length).toBe(FUNCTIONS + BRIDGES + 1);
    const rules = parse(readRepoFile('infra/prometheus/alerts.yml')) as {
      groups: Array<{ rules: Array<{ alert?: string }> }>;
    };
    const shipped = rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));
    expect((await alertRuleNames(prometheus)).sort()).toEqual(shipped.sort());
  });

  it('spread the webhooks over every functions replica (as Prometheus counts them)', async () => {
    const perReplica = await waitUntil(
      async () => {
        const rows = await query(
          live().url('PETZI_PROMETHEUS_PORT'),
          'sum by (instance) (webhook_requests_total{job="functions", status="success"})',
        );
        return rows.reduce((n, r) => n + r.value, 0) === WEBHOOKS ? rows : undefined;
      },
      90_000,
      `Prometheus to count ${WEBHOOKS} webhooks`,
    );
    process.stderr.write(`[containers] webhooks per functions replica: ${perReplica.map((r) => r.value).join(', ')}\n`);
    expect(perReplica.length).toBe(FUNCTIONS);
    expect(perReplica.every((r) => r.value > 0)).toBe(true);
  });

  it('serves HTTPS with HSTS on the webhook and dashboard ports when given a certificate', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'petzi-tls-'));
    try {
      await runOk('sh', [path.join(repoRoot(), 'infra/nginx/self-signed-cert.sh'), dir]);
      const ca = readFileSync(path.join(dir, 'tls.crt'));
      await timed('tls-recreate', () =>
        live().compose(['up', '-d', '--no-deps', '--no-build', 'gateway', 'dashboard'], { PETZI_TLS_DIR: dir }),
      );
      const webhookUrl = live().url('PETZI_WEBHOOK_PORT', 'https');
      const dashboardUrl = live().url('PETZI_DASHBOARD_PORT', 'https');
      const stats = await waitUntil(
        () => httpsRequest(`${dashboardUrl}/api/stats`, ca, { headers: { cookie: session } }).catch(() => undefined),
        60_000,
        'the dashboard over HTTPS',
      );
      expect(stats.status).toBe(200);
      expect(stats.headers['strict-transport-security']).toBe('max-age=31536000');
      // Over HTTPS the login's Origin check sees https (X-Forwarded-Proto) and the cookie is Secure.
      const login = await httpsRequest(`${dashboardUrl}/login`, ca, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: dashboardUrl },
        body: new URLSearchParams({
          user: live().secrets.DASHBOARD_USER,
          password: live().secrets.DASHBOARD_PASSWORD,
        }).toString(),
      });
      expect(login.status).toBe(303);
      expect(String(login.headers['set-cookie'])).toMatch(
        /^petzi_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Secure$/,
      );

      const body = ticketBody(WEBHOOKS + 1);
      const t = Math.floor(Date.now() / 1000);
      const webhook = await waitUntil(
        () =>
          httpsRequest(`${webhookUrl}/webhook`, ca, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'petzi-signature': signPayload(secret(), body, t) },
            body,
          }).catch(() => undefined),
        60_000,
        'the gateway over HTTPS',
      );
      expect({ status: webhook.status, outcome: (JSON.parse(webhook.body) as { status: string }).status }).toEqual({
        status: 200,
        outcome: 'success',
      });
      expect(webhook.headers['strict-transport-security']).toBe('max-age=31536000');

      const stream = await httpsRequest(`${dashboardUrl}/events`, ca, {
        headers: { cookie: session },
        firstChunkOnly: true,
      });
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toContain('text/event-stream');
      expect(stream.headers['strict-transport-security']).toBe('max-age=31536000');

      // Plain HTTP to the HTTPS port is refused, not served.
      const plain = await fetch(`${live().url('PETZI_DASHBOARD_PORT')}/api/stats`);
      expect(plain.status).toBe(400);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('docker-compose down -v leaves no container, network or volume of the project', async () => {
    await Promise.all(clients.map((c) => c.close()));
    const left = await timed('down', () => live().down());
    downDone = true;
    expect(left).toEqual([]);
  });
});
