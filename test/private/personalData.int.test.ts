import { InvocationContext, type Timer } from '@azure/functions';
import { ConfigError, loadConfig, type Logger } from '../../functions/src';
import { retentionFunction } from '../../functions/src/functions/retention';
import { startBridge, type RunningBridge } from '../../bridge/src/bridge';
import { loadBridgeConfig } from '../../bridge/src/config';
import { queryOnce } from '../support/db';
import { TEST_RABBITMQ_URL, TEST_SECRET } from '../support/env';
import { startTestStack, type TestStack } from '../support/host';
import { openSse } from '../support/sse';
import { waitUntil } from '../support/wait';
import { postWebhook, ticketBody, PRIVATE_BUYER, PRIVATE_BUYER_VALUES } from '../support/webhooks';

/**
 * Personal data only where needed: the buyer is in the stored raw webhooks and nowhere else a
 * client or a log can see it; it leaves only to a caller with a key, it is blanked after
 * RAW_RETENTION_DAYS, and erased for one ticket on an admin's request. On the real Postgres.
 */
const KEY = 'pd-api-key-0b7e4c19';
const ADMIN = 'pd-admin-key-93d1a6f2';
const BUYER = PRIVATE_BUYER;
const PERSONAL = PRIVATE_BUYER_VALUES;
const number = (n: number) => `TEST${String(n).padStart(8, '0')}`;

function withBuyer(n: number, ticket: Record<string, unknown> = {}): string {
  const body = JSON.parse(ticketBody(n, ticket)) as { details: { buyer: unknown } };
  body.details.buyer = BUYER;
  return JSON.stringify(body);
}

/** Every object key anywhere in a JSON value. */
function keysOf(value: unknown, into = new Set<string>()): string[] {
  if (Array.isArray(value)) value.forEach((v) => keysOf(v, into));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysOf(v, into);
    }
  }
  return [...into];
}

const lines: string[] = [];
const capture: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
let stack: TestStack;
let bridge: RunningBridge;

const get = (path: string, key?: string) =>
  fetch(`${stack.url}${path}`, { headers: key ? { 'x-functions-key': key } : {} });
const erase = (n: string, key?: string) =>
  fetch(`${stack.url}/api/tickets/${n}/buyer`, { method: 'DELETE', headers: key ? { 'x-functions-key': key } : {} });

async function storedBuyers(n: string): Promise<unknown[]> {
  const rows = await queryOnce<{ buyer: unknown }>(
    stack.db.url,
    `SELECT payload #> '{details,buyer}' AS buyer FROM webhook_event WHERE ticket_number = $1 ORDER BY id`,
    [n],
  );
  return rows.map((r) => r.buyer);
}

function runRetention(days: number | undefined): Promise<void> {
  const deps = { ...stack.host.deps, config: { ...stack.host.deps.config, rawRetentionDays: days } };
  const context = new InvocationContext({
    functionName: 'retention',
    logHandler: (_level, ...args) => lines.push(args.map(String).join(' ')),
  });
  return retentionFunction.handler(deps)({ isPastDue: false } as Timer, context);
}

beforeAll(async () => {
  stack = await startTestStack({ log: capture, env: { PETZI_API_KEY: KEY, PETZI_ADMIN_KEY: ADMIN } });
  for (const n of [1, 2, 3]) expect((await postWebhook(stack.url, withBuyer(n))).status).toBe(200);
  // The error paths see the buyer too: a schema refusal and a bad signature.
  expect((await postWebhook(stack.url, withBuyer(9, { price: { amount: 'lots', currency: 'CHF' } }))).status).toBe(422);
  expect((await postWebhook(stack.url, withBuyer(8), { secret: 'wrong' })).status).toBe(401);
  await waitUntil(
    async () => {
      const { items } = (await (await get('/api/tickets', KEY)).json()) as { items: unknown[] };
      return items.length === 3 ? true : undefined;
    },
    15_000,
    'three tickets in the projection',
  );
  const config = loadBridgeConfig({
    DATABASE_URL: stack.db.url,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    PETZI_TOPOLOGY_PREFIX: stack.prefix,
    PETZI_API_KEY: KEY,
  });
  bridge = await startBridge({ config, port: 0, log: capture, processMetrics: false });
});

afterAll(async () => {
  await bridge?.stop();
  await stack?.stop();
});

describe('where the buyer is not', () => {
  it('the ticket list carries no buyer field', async () => {
    const text = await (await get('/api/tickets', KEY)).text();
    for (const value of PERSONAL) expect(text).not.toContain(value);
    const keys = keysOf(JSON.parse(text));
    expect(keys).toContain('number');
    for (const key of ['buyer', 'firstName', 'lastName', 'email', 'postcode']) expect(keys).not.toContain(key);
  });

  it('the SSE stream carries no buyer field', async () => {
    const stream = await openSse(`${bridge.url}/events?history=10`, { headers: { 'x-functions-key': KEY } });
    try {
      const events = await stream.waitFor(3);
      for (const event of events) {
        for (const value of PERSONAL) expect(event.data).not.toContain(value);
        for (const key of ['buyer', 'firstName', 'lastName', 'email', 'postcode'])
          expect(keysOf(JSON.parse(event.data))).not.toContain(key);
      }
    } finally {
      await stream.close();
    }
  });

  it('/api/tickets/{number} shows the buyer of the raw webhooks only to a caller with the key', async () => {
    expect((await get(`/api/tickets/${number(1)}`)).status).toBe(401);
    const detail = (await (await get(`/api/tickets/${number(1)}`, KEY)).json()) as {
      webhooks: Array<{ payload: { details: { buyer: unknown } } }>;
    };
    expect(detail.webhooks[0].payload.details.buyer).toEqual(BUYER);
  });
});

describe('erasure of one buyer on request (DELETE /api/tickets/{number}/buyer, admin key)', () => {
  it('is refused without a key and with the function key', async () => {
    expect((await erase(number(1))).status).toBe(401);
    expect((await erase(number(1), KEY)).status).toBe(401);
    expect(await storedBuyers(number(1))).toEqual([BUYER]);
  });

  it('blanks every stored webhook of that ticket to its role, and no other ticket', async () => {
    const response = await erase(number(1), ADMIN);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ticket: number(1),
      webhooks: 1,
      erased: 1,
      deadLetterReasons: 0,
      deadLetterQueue: 0,
    });
    expect(await storedBuyers(number(1))).toEqual([{ role: 'customer', erased: true }]);
    expect(await storedBuyers(number(2))).toEqual([BUYER]);
    const again = await erase(number(1), ADMIN);
    expect(await again.json()).toEqual({
      ticket: number(1),
      webhooks: 1,
      erased: 0,
      deadLetterReasons: 0,
      deadLetterQueue: 0,
    });
    // The ticket itself stays, and a re-delivery of the original body is still a duplicate.
    expect((await get(`/api/tickets/${number(1)}`, KEY)).status).toBe(200);
    expect((await postWebhook(stack.url, withBuyer(1))).json.status).toBe('duplicate');
  });

  it('is a 404 for an unknown ticket, a 400 for an unknown parameter, a 405 for another method', async () => {
    expect((await erase('NOSUCHTICKET', ADMIN)).status).toBe(404);
    expect(
      (
        await fetch(`${stack.url}/api/tickets/${number(2)}/buyer?all=1`, {
          method: 'DELETE',
          headers: { 'x-functions-key': ADMIN },
        })
      ).status,
    ).toBe(400);
    expect((await get(`/api/tickets/${number(2)}/buyer`, ADMIN)).status).toBe(405);
    expect(await storedBuyers(number(2))).toEqual([BUYER]);
  });
});

describe('RAW_RETENTION_DAYS', () => {
  it('is off unless set, and must be a positive integer', () => {
    expect(loadConfig({}).rawRetentionDays).toBeUndefined();
    expect(loadConfig({ RAW_RETENTION_DAYS: '30' }).rawRetentionDays).toBe(30);
    for (const bad of ['0', '-1', '2.5', 'month'])
      expect(() => loadConfig({ RAW_RETENTION_DAYS: bad })).toThrow(ConfigError);
  });

  it('the hourly timer blanks the buyer of webhooks older than that, and only those; unset, it blanks nothing', async () => {
    await queryOnce(
      stack.db.url,
      `UPDATE webhook_event SET received_at = now() - interval '31 days' WHERE ticket_number = $1`,
      [number(2)],
    );
    await queryOnce(
      stack.db.url,
      `UPDATE webhook_event SET received_at = now() - interval '29 days' WHERE ticket_number = $1`,
      [number(3)],
    );
    await runRetention(undefined);
    expect(await storedBuyers(number(2))).toEqual([BUYER]);
    await runRetention(30);
    expect(await storedBuyers(number(2))).toEqual([{ role: 'customer', erased: true }]);
    expect(await storedBuyers(number(3))).toEqual([BUYER]);
    expect(retentionFunction.schedule).toBe('0 0 * * * *');
  });
});

describe('the logs', () => {
  it('never held a buyer field, a key or the webhook secret, on any of these paths', () => {
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [...PERSONAL, KEY, ADMIN, TEST_SECRET])
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
  });
});
