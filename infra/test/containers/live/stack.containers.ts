import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';
import { signPayload } from '../../../../functions/src/protocol/signature';
import { ensureAllImages, repoRoot } from '../../../images/build';
import { runOk } from '../../../images/docker';
import { openSse, type SseConnection } from '../../../../test/support/sse';
import { waitUntil } from '../../../../test/support/wait';
import { postWebhook, ticketBody } from '../../../../test/support/webhooks';
import { envFileNames, readRepoFile } from '../repo';
import { startComposeStack, type ComposeStack } from './composeStack';
import { httpsRequest } from './http';
import { activeTargets, alertRuleNames, query } from './prometheus';

/**
 * The whole POC on a real Docker engine, scaled out: docker-compose.yml plus the test override
 * (local stand-in images, the project's local functions host), 3 functions replicas behind the
 * gateway nginx and 2 SSE bridges behind the dashboard's nginx, checked through published
 * 127.0.0.1 ports only; then HTTPS on the same stack; then `down -v` leaves nothing behind.
 */
const FUNCTIONS = 3;
const BRIDGES = 2;
const WEBHOOKS = 45;
const SSE_CLIENTS = 12;
const SECRET = envFileNames(readRepoFile('.env.example')).set.get('PETZI_WEBHOOK_SECRET') ?? '';
const timings: Record<string, number> = {};

let stack: ComposeStack | undefined;
let downDone = false;
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
  await Promise.all(Array.from({ length: width }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  }));
}

function ticketNumber(data: string): string {
  return (JSON.parse(data) as { ticket: { number: string } }).ticket.number;
}

beforeAll(async () => {
  expect(SECRET).not.toBe('');
  await timed('images', () => ensureAllImages());
  stack = await timed('build+up', () => startComposeStack({ scale: { functions: FUNCTIONS, 'sse-bridge': BRIDGES } }));
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

  it('has RabbitMQ definitions loaded at boot (management API on its published port)', async () => {
    const definitions = JSON.parse(readRepoFile('infra/rabbitmq/definitions.json')) as { queues: Array<{ name: string }>; exchanges: Array<{ name: string; type: string }> };
    const auth = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
    const get = async <T>(p: string): Promise<T> => {
      const res = await fetch(`${live().url('PETZI_RABBITMQ_UI_PORT')}${p}`, { headers: { authorization: auth } });
      expect(res.status).toBe(200);
      return (await res.json()) as T;
    };
    const queues = await get<Array<{ name: string }>>('/api/queues/%2F');
    const exchanges = await get<Array<{ name: string; type: string }>>('/api/exchanges/%2F');
    expect(queues.map((q) => q.name)).toEqual(expect.arrayContaining(definitions.queues.map((q) => q.name)));
    for (const e of definitions.exchanges) expect(exchanges).toContainEqual(expect.objectContaining({ name: e.name, type: e.type }));
  });

  it(`connects ${SSE_CLIENTS} SSE clients through the dashboard's nginx, spread over the bridges`, async () => {
    for (let i = 0; i < SSE_CLIENTS; i++) {
      const client = await openSse(`${live().url('PETZI_DASHBOARD_PORT')}/events`);
      clients.push(client);
      expect(client.status).toBe(200);
      expect(client.headers.get('content-type')).toContain('text/event-stream');
    }
    // Each bridge counts its own clients; Prometheus scrapes every bridge replica.
    const perBridge = await waitUntil(
      async () => {
        const rows = await query(live().url('PETZI_PROMETHEUS_PORT'), 'sse_clients_connected{job="sse-bridge"}');
        const total = rows.reduce((n, r) => n + r.value, 0);
        return rows.length === BRIDGES && total === SSE_CLIENTS ? rows.map((r) => r.value) : undefined;
      },
      90_000,
      `Prometheus to see ${SSE_CLIENTS} clients on ${BRIDGES} bridges`,
    );
    // nginx picks a bridge address at random per request: all 12 on one bridge has odds 1 in 2048.
    expect(perBridge.every((n) => n > 0)).toBe(true);
  });

  it(`answers 200 to ${WEBHOOKS} signed webhooks through the gateway on the webhook port`, async () => {
    const bodies = Array.from({ length: WEBHOOKS }, (_, i) => ticketBody(i + 1));
    await timed('webhooks', () =>
      inPool(bodies, 5, async (body) => {
        const reply = await postWebhook(live().url('PETZI_WEBHOOK_PORT'), body, { secret: SECRET });
        expect({ status: reply.status, outcome: reply.json.status }).toEqual({ status: 200, outcome: 'success' });
        sent.push((JSON.parse(body) as { details: { ticket: { number: string } } }).details.ticket.number);
      }),
    );
    expect(new Set(sent).size).toBe(WEBHOOKS);
  });

  it('answers a repeated delivery as a duplicate and a bad signature with a JSON 401, through the gateway', async () => {
    const again = await postWebhook(live().url('PETZI_WEBHOOK_PORT'), ticketBody(1), { secret: SECRET });
    expect({ status: again.status, outcome: again.json.status }).toEqual({ status: 200, outcome: 'duplicate' });
    const forged = await postWebhook(live().url('PETZI_WEBHOOK_PORT'), ticketBody(999), { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    expect(typeof forged.json.error).toBe('string');
  });

  it('stores every webhook once (Postgres on its published port)', async () => {
    const db = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${live().ports.PETZI_DB_PORT}/petzi` });
    await db.connect();
    try {
      const { rows } = await db.query<{ rows: string; distinct_hashes: string }>('SELECT count(*) AS rows, count(DISTINCT body_sha256) AS distinct_hashes FROM webhook_event');
      expect(rows[0]).toEqual({ rows: String(WEBHOOKS), distinct_hashes: String(WEBHOOKS) });
    } finally {
      await db.end();
    }
  });

  it('delivers every ticket to every SSE client exactly once', async () => {
    await timed('sse-delivery', () => Promise.all(clients.map((c) => c.waitFor(WEBHOOKS, 60_000))));
    for (const [i, client] of clients.entries()) {
      const numbers = client.events.filter((e) => e.event === 'ticket').map((e) => ticketNumber(e.data));
      expect({ client: i, count: numbers.length, tickets: [...numbers].sort() }).toEqual({ client: i, count: WEBHOOKS, tickets: [...sent].sort() });
    }
  });

  it('counts them in /api/stats through the dashboard', async () => {
    const res = await fetch(`${live().url('PETZI_DASHBOARD_PORT')}/api/stats`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ticketsSold: number }).ticketsSold).toBe(WEBHOOKS);
  });

  it('has Prometheus scraping every replica, the bridges and RabbitMQ, with the alerting rules loaded', async () => {
    const prometheus = live().url('PETZI_PROMETHEUS_PORT');
    const up = await waitUntil(
      async () => {
        const targets = (await activeTargets(prometheus)).filter((t) => t.labels.job !== 'cadvisor');
        const count = (job: string) => targets.filter((t) => t.labels.job === job && t.health === 'up').length;
        return count('functions') === FUNCTIONS && count('sse-bridge') === BRIDGES && count('rabbitmq') === 1 && targets.every((t) => t.health === 'up') ? targets : undefined;
      },
      90_000,
      'every functions, sse-bridge and rabbitmq target up',
    );
    expect(up.length).toBe(FUNCTIONS + BRIDGES + 1);
    const rules = parse(readRepoFile('infra/prometheus/alerts.yml')) as { groups: Array<{ rules: Array<{ alert?: string }> }> };
    const shipped = rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));
    expect((await alertRuleNames(prometheus)).sort()).toEqual(shipped.sort());
  });

  it('spread the webhooks over every functions replica (as Prometheus counts them)', async () => {
    const perReplica = await waitUntil(
      async () => {
        const rows = await query(live().url('PETZI_PROMETHEUS_PORT'), 'sum by (instance) (webhook_requests_total{job="functions", status="success"})');
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
      await timed('tls-recreate', () => live().compose(['up', '-d', '--no-deps', '--no-build', 'gateway', 'dashboard'], { PETZI_TLS_DIR: dir }));
      const webhookUrl = live().url('PETZI_WEBHOOK_PORT', 'https');
      const dashboardUrl = live().url('PETZI_DASHBOARD_PORT', 'https');
      const stats = await waitUntil(() => httpsRequest(`${dashboardUrl}/api/stats`, ca).catch(() => undefined), 60_000, 'the dashboard over HTTPS');
      expect(stats.status).toBe(200);
      expect(stats.headers['strict-transport-security']).toBe('max-age=31536000');

      const body = ticketBody(WEBHOOKS + 1);
      const t = Math.floor(Date.now() / 1000);
      const webhook = await waitUntil(
        () =>
          httpsRequest(`${webhookUrl}/webhook`, ca, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'petzi-signature': signPayload(SECRET, body, t) },
            body,
          }).catch(() => undefined),
        60_000,
        'the gateway over HTTPS',
      );
      expect({ status: webhook.status, outcome: (JSON.parse(webhook.body) as { status: string }).status }).toEqual({ status: 200, outcome: 'success' });
      expect(webhook.headers['strict-transport-security']).toBe('max-age=31536000');

      const stream = await httpsRequest(`${dashboardUrl}/events`, ca, { firstChunkOnly: true });
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
