import { createHash } from 'node:crypto';
import { captureExchange, type Capture } from '../../test/support/broker';
import { queryOnce } from '../../test/support/db';
import { TEST_SECRET } from '../../test/support/env';
import { startTestStack, type TestStack } from '../../test/support/host';
import { postWebhook, sampleBodies, ticketBody } from '../../test/support/webhooks';
import { waitUntil } from '../../test/support/wait';
import { UnstorableValueError } from '../src/core/errors';

let stack: TestStack;
let capture: Capture;

const rowCount = async () =>
  Number((await queryOnce<{ n: string }>(stack.db.url, 'SELECT count(*) AS n FROM webhook_event'))[0].n);

beforeAll(async () => {
  stack = await startTestStack();
  capture = await captureExchange(stack.host.deps.topology.webhookExchange);
});

afterAll(async () => {
  await capture.close();
  await stack.stop();
});

describe('POST /webhook with valid webhooks', () => {
  it.each(sampleBodies().map((s) => [s.name, s.body] as const))('stores and publishes %s', async (_name, body) => {
    const before = capture.messages.length;
    const reply = await postWebhook(stack.url, body);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ status: 'success', id: expect.any(Number) });
    const id = reply.json.id as number;

    const [row] = await queryOnce<{
      event_type: string;
      payload: unknown;
      body_sha256: string;
      signature_timestamp: Date;
    }>(stack.db.url, 'SELECT event_type, payload, body_sha256, signature_timestamp FROM webhook_event WHERE id = $1', [
      id,
    ]);
    const parsed = JSON.parse(body.toString('utf8')) as { event: string };
    expect(row.event_type).toBe(parsed.event);
    expect(row.payload).toEqual(parsed);
    expect(row.body_sha256).toBe(createHash('sha256').update(body).digest('hex'));

    await capture.waitFor(before + 1);
    const message = capture.messages.find((m) => m.properties.messageId === String(id));
    expect(message).toBeDefined();
    expect(message!.routingKey).toBe(parsed.event);
    expect(message!.properties.deliveryMode).toBe(2);
    expect(message!.json()).toMatchObject({ id, event: parsed.event, payload: parsed, bodySha256: row.body_sha256 });

    const published = await waitUntil(
      async () => {
        const [r] = await queryOnce<{ published_at: Date | null }>(
          stack.db.url,
          'SELECT published_at FROM webhook_event WHERE id = $1',
          [id],
        );
        return r.published_at ?? undefined;
      },
      5000,
      'published_at',
    );
    expect(published).toBeInstanceOf(Date);
  });

  it('answers a re-signed retry of the same body as a duplicate, stored and published once', async () => {
    const body = ticketBody(100);
    const first = await postWebhook(stack.url, body, { timestamp: Math.floor(Date.now() / 1000) - 10 });
    const again = await postWebhook(stack.url, body);
    expect(first).toMatchObject({ status: 200, json: { status: 'success' } });
    expect(again).toMatchObject({ status: 200, json: { status: 'duplicate', id: first.json.id } });
    const rows = await queryOnce<{ n: string }>(stack.db.url, 'SELECT count(*) AS n FROM webhook_event WHERE id = $1', [
      first.json.id,
    ]);
    expect(rows[0].n).toBe('1');
    // A later event's message marks the point by which a second publish would have shown.
    const barrier = await postWebhook(stack.url, ticketBody(101));
    await waitUntil(
      () => capture.messages.find((m) => m.properties.messageId === String(barrier.json.id)),
      5000,
      'barrier message',
    );
    expect(capture.messages.filter((m) => m.properties.messageId === String(first.json.id))).toHaveLength(1);
  });

  it('gives concurrent identical deliveries one row, one success and duplicates', async () => {
    const body = ticketBody(200);
    const replies = await Promise.all(Array.from({ length: 20 }, () => postWebhook(stack.url, body)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(new Set(replies.map((r) => r.json.id)).size).toBe(1);
    expect(replies.filter((r) => r.json.status === 'success')).toHaveLength(1);
    expect(replies.filter((r) => r.json.status === 'duplicate')).toHaveLength(19);
  });

  it('stores and publishes an unknown event type rather than losing it', async () => {
    const reply = await postWebhook(stack.url, JSON.stringify({ event: 'ticket_scanned', details: { number: 'X' } }));
    expect(reply).toMatchObject({ status: 200, json: { status: 'success' } });
    const message = await waitUntil(
      () => capture.messages.find((m) => m.properties.messageId === String(reply.json.id)),
      5000,
      'message',
    );
    expect(message.routingKey).toBe('ticket_scanned');
  });
});

describe('POST /webhook with bad input', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const good = ticketBody(300);
  const cases: Array<[string, () => ReturnType<typeof postWebhook>, number, string | RegExp]> = [
    ['no signature', () => postWebhook(stack.url, good, { signature: null }), 401, 'missing'],
    ['a malformed signature', () => postWebhook(stack.url, good, { signature: 'sha256=abc' }), 401, 'malformed'],
    ['a wrong secret', () => postWebhook(stack.url, good, { secret: 'wrong' }), 401, 'mismatch'],
    ['a stale timestamp', () => postWebhook(stack.url, good, { timestamp: now() - 3600 }), 401, 'too_old'],
    ['a future timestamp', () => postWebhook(stack.url, good, { timestamp: now() + 3600 }), 401, 'in_future'],
    ['a body that is not JSON', () => postWebhook(stack.url, '{"event": '), 400, /not valid JSON/],
    ['a JSON array', () => postWebhook(stack.url, '[1,2]'), 400, /JSON object/],
    ['a JSON string', () => postWebhook(stack.url, '"hi"'), 400, /JSON object/],
    ['an empty body', () => postWebhook(stack.url, ''), 400, /not valid JSON/],
    [
      'a schema violation',
      () => postWebhook(stack.url, ticketBody(301, { price: { amount: 'free', currency: 'CHF' } })),
      422,
      /schema/,
    ],
    [
      'a NUL character jsonb cannot hold',
      () => postWebhook(stack.url, ticketBody(302, { title: 'a\u0000b' })),
      422,
      /cannot be stored/,
    ],
    ['a GET', () => postWebhook(stack.url, '', { method: 'GET' }), 405, /POST/],
  ];

  it.each(cases)('rejects %s with its status, a JSON error and nothing stored', async (_name, send, status, detail) => {
    const before = await rowCount();
    const reply = await send();
    expect(reply.status).toBe(status);
    expect(typeof reply.json.error).toBe('string');
    const text = JSON.stringify(reply.json);
    if (typeof detail === 'string') expect(reply.json.reason).toBe(detail);
    else expect(text).toMatch(detail);
    expect(text).not.toContain(TEST_SECRET);
    expect(await rowCount()).toBe(before);
  });

  const session = (date: string) => ({
    sessions: [{ name: 'x', date, time: '21:00:00', doors: null, location: null }],
  });
  it.each([
    ['a date that does not exist', ticketBody(310, session('2026-02-30')), 'details.ticket.sessions.0.date'],
    ['a 29 February outside a leap year', ticketBody(311, session('2026-02-29')), 'details.ticket.sessions.0.date'],
    ['an eventId above int4', ticketBody(312, { eventId: 2_147_483_648 }), 'details.ticket.eventId'],
    [
      'a price above numeric(12,2)',
      ticketBody(313, { price: { amount: '10000000000.00', currency: 'CHF' } }),
      'details.ticket.price.amount',
    ],
    ['a lone surrogate in a projected field', ticketBody(314, { event: 'x\ud800' }), 'details.ticket.event'],
    ['a NUL in an extra field', ticketBody(315, { note: 'a\u0000' }), 'details.ticket.note'],
    ['a NUL in a key', ticketBody(316, { 'k\u0000': 1 }), 'details.ticket.k\u0000'],
    [
      'a number jsonb cannot hold',
      ticketBody(317, { extra: [1, 1e308] }).replace('1e+308', '1e999999'),
      'details.ticket.extra.1',
    ],
    [
      'a NUL in an unknown event',
      JSON.stringify({ event: 'ticket_scanned', details: { gate: 'a\u0000' } }),
      'details.gate',
    ],
    ['a lone surrogate in an unknown event', '{"event":"ticket_scanned","details":{"gate":"\\udc00"}}', 'details.gate'],
  ])('refuses %s with a 422 naming the field, nothing stored', async (_name, body, path) => {
    const before = await rowCount();
    const reply = await postWebhook(stack.url, body);
    expect(reply.status).toBe(422);
    expect((reply.json.fields as Array<{ path: string }>).map((f) => f.path)).toContain(path);
    expect(await rowCount()).toBe(before);
  });

  it('stores an unknown event whatever the length of its ticket number (no btree entry limit)', async () => {
    const number = Array.from({ length: 1000 }, (_, i) => (i * 7919).toString(36)).join('-');
    const reply = await postWebhook(
      stack.url,
      JSON.stringify({ event: 'ticket_scanned', details: { ticket: { number } } }),
    );
    expect(reply).toMatchObject({ status: 200, json: { status: 'success' } });
  });

  it('names the failing fields in a 422', async () => {
    const reply = await postWebhook(
      stack.url,
      ticketBody(303, { eventId: 'x', price: { amount: '1.00', currency: 'chf' } }),
    );
    expect(reply.status).toBe(422);
    expect((reply.json.fields as Array<{ path: string }>).map((f) => f.path).sort()).toEqual([
      'details.ticket.eventId',
      'details.ticket.price.currency',
    ]);
  });

  it('sets Allow on a 405', async () => {
    const reply = await postWebhook(stack.url, '', { method: 'GET' });
    expect(reply.headers.get('allow')).toBe('POST');
  });

  it('refuses a declared oversized body with 413 without reading it', async () => {
    const before = await rowCount();
    const big = Buffer.alloc(1024 * 1024 + 1, 0x20);
    const reply = await postWebhook(stack.url, big);
    expect(reply.status).toBe(413);
    expect(reply.json).toMatchObject({ error: 'Payload too large', limitBytes: 1024 * 1024 });
    expect(await rowCount()).toBe(before);
  });

  it('refuses a chunked body once it passes the limit', async () => {
    const http = await import('node:http');
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        `${stack.url}/webhook`,
        { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        // Keep sending well past the limit; the server answers and closes before we finish.
        while (sent < 4 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      req.on('response', () => undefined);
      pump();
    }).catch((error: unknown) => ({ status: -1, body: String(error) }));
    // Either we read the 413 or the server closed the socket on us after answering it.
    if (status.status !== -1) {
      expect(status.status).toBe(413);
      expect(JSON.parse(status.body)).toMatchObject({ error: 'Payload too large' });
    }
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(metrics).toMatch(/webhook_requests_total\{status="error",reason="payload_too_large"\} 2/);
  });
});

describe('the group commit isolates its culprit', () => {
  // The schema refuses every natural case at the door: a CHECK constraint in this test's own
  // database makes one row fail in Postgres, as a value the schema missed would.
  beforeAll(async () => {
    await queryOnce(
      stack.db.url,
      "ALTER TABLE webhook_event ADD CONSTRAINT test_poison_ingest CHECK (payload #>> '{details,ticket,title}' IS DISTINCT FROM 'POISON INGEST')",
    );
  });
  const count = async (sql: string) => Number((await queryOnce<{ n: string }>(stack.db.url, sql))[0].n);

  it('stores the batch-mates of a row Postgres refuses and gives the culprit its own error', async () => {
    const bodies = Array.from({ length: 31 }, (_, i) =>
      ticketBody(1000 + i, i === 15 ? { title: 'POISON INGEST' } : {}),
    );
    const now = Math.floor(Date.now() / 1000);
    // Called in one turn of the event loop, so the batcher hands all 31 to one statement.
    const results = await Promise.allSettled(
      bodies.map((rawBody) =>
        stack.host.deps.ingest.ingest({
          eventType: 'ticket_created',
          bodySha256: createHash('sha256').update(rawBody).digest('hex'),
          signatureTimestamp: now,
          rawBody,
        }),
      ),
    );
    const rejected = results.flatMap((r, i) => (r.status === 'rejected' ? [{ i, reason: r.reason as unknown }] : []));
    expect(rejected).toHaveLength(1);
    expect(rejected[0].i).toBe(15);
    expect(rejected[0].reason).toBeInstanceOf(UnstorableValueError);
    expect(results.filter((r) => r.status === 'fulfilled' && r.value.status === 'success')).toHaveLength(30);
    expect(
      await count(
        "SELECT count(*) AS n FROM webhook_event WHERE ticket_number BETWEEN 'TEST00001000' AND 'TEST00001030'",
      ),
    ).toBe(30);
  });

  it('answers a concurrent burst 200 but for the culprit, which gets a 422 and is not stored', async () => {
    const bodies = Array.from({ length: 41 }, (_, i) =>
      ticketBody(2000 + i, i === 20 ? { title: 'POISON INGEST' } : {}),
    );
    const replies = await Promise.all(bodies.map((body) => postWebhook(stack.url, body)));
    expect(replies.map((r) => r.status)).toEqual(bodies.map((_, i) => (i === 20 ? 422 : 200)));
    expect(replies[20].json.error).toMatch(/cannot be stored/);
    expect(
      await count(
        "SELECT count(*) AS n FROM webhook_event WHERE ticket_number BETWEEN 'TEST00002000' AND 'TEST00002040'",
      ),
    ).toBe(40);
    expect(
      await count(
        "SELECT count(*) AS n FROM webhook_event WHERE payload #>> '{details,ticket,number}' = 'TEST00002020'",
      ),
    ).toBe(0);
  });
});

describe('GET /api/health', () => {
  it('reports both dependencies up', async () => {
    const response = await fetch(`${stack.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', checks: { postgres: 'up', rabbitmq: 'up' } });
  });
});

describe('unknown paths', () => {
  it('answer 404 JSON', async () => {
    const response = await fetch(`${stack.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: expect.stringContaining('/nope') });
  });
});

it('exposes metrics with the seed names after a known sequence', async () => {
  const fresh = await startTestStack();
  try {
    await postWebhook(fresh.url, ticketBody(1));
    await postWebhook(fresh.url, ticketBody(1));
    await postWebhook(fresh.url, ticketBody(2), { secret: 'nope' });
    await postWebhook(fresh.url, '[]');
    const text = await (await fetch(`${fresh.url}/metrics`)).text();
    expect(text).toMatch(/# TYPE webhook_requests_total counter/);
    expect(text).toMatch(/webhook_requests_total\{status="success",reason=""\} 1\n/);
    expect(text).toMatch(/webhook_requests_total\{status="duplicate",reason=""\} 1\n/);
    expect(text).toMatch(/webhook_requests_total\{status="error",reason="signature_mismatch"\} 1\n/);
    expect(text).toMatch(/webhook_requests_total\{status="error",reason="not_an_object"\} 1\n/);
    expect(text).toMatch(/# TYPE webhook_processing_time_seconds histogram/);
    expect(text).toMatch(/webhook_processing_time_seconds_count\{status="success"\} 1\n/);
    const bytes = Buffer.byteLength(ticketBody(1)) * 2 + Buffer.byteLength(ticketBody(2)) + 2;
    expect(text).toContain(`webhook_payload_size_bytes ${bytes}\n`);
    expect(text).toMatch(/# TYPE webhook_outbox_backlog gauge/);
    expect(text).toMatch(/webhook_published_total\{source="inline"\} 1\n/);
  } finally {
    await fresh.stop();
  }
});
