import { spawn } from 'node:child_process';
import path from 'node:path';
import { captureExchange } from '../../test/support/broker';
import { createTestDatabase, queryOnce } from '../../test/support/db';
import { ADMIN_DATABASE_URL, TEST_RABBITMQ_URL, TEST_SECRET } from '../../test/support/env';
import { startTestStack } from '../../test/support/host';
import { hostPortOf, startTcpProxy, viaProxy } from '../../tools/harness/tcpProxy';
import { waitUntil } from '../../test/support/wait';
import { postWebhook, ticketBody } from '../../test/support/webhooks';

describe('RabbitMQ unreachable', () => {
  it('still answers 200, and the outbox publishes once the broker is back', async () => {
    const target = hostPortOf(TEST_RABBITMQ_URL, 5672);
    const proxy = await startTcpProxy(target.host, target.port);
    const stack = await startTestStack({ env: { RABBITMQ_URL: viaProxy(TEST_RABBITMQ_URL, proxy.port) } });
    const capture = await captureExchange(stack.host.deps.topology.webhookExchange);
    try {
      await proxy.cut();
      await waitUntil(() => (stack.host.deps.broker.connected ? undefined : true), 10_000, 'broker disconnect');
      const health = await fetch(`${stack.url}/api/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ down: ['rabbitmq'] });

      const replies = await Promise.all([1, 2, 3, 4, 5].map((n) => postWebhook(stack.url, ticketBody(n))));
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const ids = replies.map((r) => r.json.id as number);
      const unpublished = await queryOnce<{ n: string }>(
        stack.db.url,
        'SELECT count(*) AS n FROM webhook_event WHERE published_at IS NULL',
      );
      expect(unpublished[0].n).toBe('5');

      await proxy.restore();
      // The outbox runs every 5 s and leaves rows younger than the 1 s grace to the request path.
      await capture.waitFor(5, 20_000);
      expect(capture.messages.map((m) => Number(m.properties.messageId)).sort((a, b) => a - b)).toEqual(
        ids.sort((a, b) => a - b),
      );
      await waitUntil(
        async () => {
          const rows = await queryOnce<{ n: string }>(
            stack.db.url,
            'SELECT count(*) AS n FROM webhook_event WHERE published_at IS NULL',
          );
          return rows[0].n === '0' ? true : undefined;
        },
        10_000,
        'outbox to mark rows published',
      );
      const metrics = await (await fetch(`${stack.url}/metrics`)).text();
      expect(metrics).toMatch(/webhook_published_total\{source="outbox"\} 5\n/);
      expect(metrics).toMatch(/webhook_publish_failures_total\{source="inline"\} 5\n/);
    } finally {
      await capture.close();
      await stack.stop();
      await proxy.close();
    }
  }, 60_000);
});

describe('Postgres unreachable', () => {
  it('answers 503 with Retry-After, publishes nothing, and recovers without a restart', async () => {
    const target = hostPortOf(ADMIN_DATABASE_URL, 5432);
    const proxy = await startTcpProxy(target.host, target.port);
    const db = await createTestDatabase();
    const stack = await startTestStack({ db, env: { DATABASE_URL: viaProxy(db.url, proxy.port) } });
    const capture = await captureExchange(stack.host.deps.topology.webhookExchange);
    try {
      await proxy.cut();
      const reply = await postWebhook(stack.url, ticketBody(1));
      expect(reply.status).toBe(503);
      expect(reply.headers.get('retry-after')).toBe('5');
      expect(reply.json).toMatchObject({ error: expect.stringMatching(/unavailable/i) });
      const health = await fetch(`${stack.url}/api/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ down: ['postgres'] });

      await proxy.restore();
      const after = await postWebhook(stack.url, ticketBody(2));
      expect(after).toMatchObject({ status: 200, json: { status: 'success' } });
      await capture.waitFor(1);
      // Only the webhook stored after recovery was published.
      expect(capture.messages.map((m) => Number(m.properties.messageId))).toEqual([after.json.id]);
      const rows = await queryOnce<{ n: string }>(db.url, 'SELECT count(*) AS n FROM webhook_event');
      expect(rows[0].n).toBe('1');
    } finally {
      await capture.close();
      await stack.stop();
      await db.drop();
      await proxy.close();
    }
  }, 60_000);
});

describe('graceful shutdown of the host process', () => {
  it('finishes in-flight requests on SIGTERM, loses none and exits 0', async () => {
    const db = await createTestDatabase();
    const prefix = `grace${Date.now()}`;
    const child = spawn(process.execPath, [path.resolve(__dirname, '../../dist/host/src/main.js')], {
      env: {
        ...process.env,
        PORT: '0',
        DATABASE_URL: db.url,
        RABBITMQ_URL: TEST_RABBITMQ_URL,
        PETZI_WEBHOOK_SECRET: TEST_SECRET,
        PETZI_TOPOLOGY_PREFIX: prefix,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await waitUntil(() => /listening on (http:\/\/[^\s]+)/.exec(output)?.[1], 20_000, 'host to listen');
      const sends = Array.from({ length: 60 }, (_, n) =>
        postWebhook(url, ticketBody(n)).catch((error: unknown) => ({
          status: -1,
          json: { error: String(error) } as Record<string, unknown>,
        })),
      );
      // Let the requests reach the server, then ask it to stop while they are in flight.
      await new Promise((r) => setTimeout(r, 30));
      child.kill('SIGTERM');
      const replies = await Promise.all(sends);
      expect(await exited).toBe(0);
      const ok = replies.filter((r) => r.status === 200).map((r) => r.json.id as number);
      const refused = replies.filter((r) => r.status !== 200);
      // A request the server had not accepted yet may be refused; one it answered 200 must be stored.
      const stored = await queryOnce<{ id: string }>(db.url, 'SELECT id FROM webhook_event');
      expect(stored.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual([...ok].sort((a, b) => a - b));
      expect(ok.length).toBeGreaterThan(0);
      expect(refused.every((r) => r.status === -1)).toBe(true);
      expect(output).toContain('functions host stopped');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await db.drop();
      const { deleteTopology } = await import('../../test/support/broker');
      const { topologyNames } = await import('../src/broker/topology');
      await deleteTopology({ ...topologyNames(prefix) });
    }
  }, 60_000);
});
