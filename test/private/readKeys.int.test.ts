import { silentLogger } from '../../functions/src';
import { startBridge, type RunningBridge } from '../../bridge/src/bridge';
import { loadBridgeConfig } from '../../bridge/src/config';
import { TEST_RABBITMQ_URL } from '../support/env';
import { startTestStack, type TestStack } from '../support/host';
import { openSse } from '../support/sse';
import { postWebhook, ticketBody } from '../support/webhooks';

/**
 * Keys on the read paths, the Azure way: PETZI_API_KEY (two keys: rotation) as the
 * x-functions-key header or the code parameter; the admin key passes too; /webhook, /metrics and
 * /healthz stay anonymous; the bridge asks the same key for /events.
 */
const OLD_KEY = 'key-old-3b1f7c2a9e';
const NEW_KEY = 'key-new-8d4e6a0c51';
const ADMIN_KEY = 'admin-5c9a2e7f13';
const KEYS = { PETZI_API_KEY: ` ${OLD_KEY} , ${NEW_KEY} `, PETZI_ADMIN_KEY: ADMIN_KEY };
const READ_PATHS = ['/api/tickets', '/api/tickets/TEST00000001', '/api/stats', '/api/health'];

let stack: TestStack;
let bridge: RunningBridge;

beforeAll(async () => {
  stack = await startTestStack({ env: KEYS });
  expect((await postWebhook(stack.url, ticketBody(1))).status).toBe(200);
  const config = loadBridgeConfig({
    DATABASE_URL: stack.db.url,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    PETZI_TOPOLOGY_PREFIX: stack.prefix,
    ...KEYS,
  });
  bridge = await startBridge({ config, port: 0, log: silentLogger, processMetrics: false });
});

afterAll(async () => {
  await bridge?.stop();
  await stack?.stop();
});

async function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${stack.url}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.each(READ_PATHS)('%s on the functions host', (path) => {
  const sep = path.includes('?') ? '&' : '?';

  it('is a 401 JSON error naming both ways to send the key, without a key', async () => {
    const { status, body } = await get(path);
    expect(status).toBe(401);
    expect(body.error).toMatch(/x-functions-key header or the code query parameter/);
  });

  it('is a 401 with a wrong key, in the header or in code, and with an empty one', async () => {
    expect((await get(path, { 'x-functions-key': `${NEW_KEY}x` })).status).toBe(401);
    expect((await get(`${path}${sep}code=${OLD_KEY.slice(0, -1)}`)).status).toBe(401);
    expect((await get(`${path}${sep}code=`)).status).toBe(401);
  });

  it.each([
    ['the first key in the header', { 'x-functions-key': OLD_KEY }, ''],
    ['the second key in the header (rotation)', { 'x-functions-key': NEW_KEY }, ''],
    ['the first key as code', {}, `code=${OLD_KEY}`],
    ['the second key as code (rotation)', {}, `code=${NEW_KEY}`],
    ['the admin key', { 'x-functions-key': ADMIN_KEY }, ''],
  ])('answers with %s', async (_name, headers, query) => {
    const { status } = await get(query ? `${path}${sep}${query}` : path, headers);
    expect(status).toBe(200);
  });
});

describe('anonymous doors on the functions host', () => {
  it('/webhook takes a signed webhook without any key: its signature is its authentication', async () => {
    expect((await postWebhook(stack.url, ticketBody(2))).status).toBe(200);
  });

  it('/metrics and /healthz answer without a key; /healthz says no more than that the host lives', async () => {
    expect((await fetch(`${stack.url}/metrics`)).status).toBe(200);
    const { status, body } = await get('/healthz');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok' });
  });
});

describe('the bridge', () => {
  it('refuses /events without a key and with a wrong one (401 JSON)', async () => {
    const none = await fetch(`${bridge.url}/events`, { headers: { Accept: 'text/event-stream' } });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: string }).error).toMatch(/function key is required/);
    const wrong = await fetch(`${bridge.url}/events?code=nope`, { headers: { Accept: 'text/event-stream' } });
    expect(wrong.status).toBe(401);
    await wrong.arrayBuffer();
  });

  it.each([
    ['the header', '/events?history=5', { 'x-functions-key': NEW_KEY }],
    ['code', `/events?history=5&code=${OLD_KEY}`, {}],
  ])('streams with the key in %s', async (_name, path, headers) => {
    const stream = await openSse(`${bridge.url}${path}`, { headers });
    try {
      expect(stream.status).toBe(200);
      const [first] = await stream.waitFor(1);
      expect(first.event).toBe('ticket');
    } finally {
      await stream.close();
    }
  });

  it('/healthz and /metrics stay anonymous', async () => {
    expect((await fetch(`${bridge.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${bridge.url}/metrics`)).status).toBe(200);
  });

  it('sends no CORS header without CORS_ORIGINS, and only for a listed origin with it', async () => {
    const plain = await fetch(`${bridge.url}/healthz`, { headers: { Origin: 'https://evil.example' } });
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
    await plain.arrayBuffer();
    const config = loadBridgeConfig({
      DATABASE_URL: stack.db.url,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      PETZI_TOPOLOGY_PREFIX: stack.prefix,
      CORS_ORIGINS: 'https://a.example, https://b.example',
      ...KEYS,
    });
    const cors = await startBridge({ config, port: 0, log: silentLogger, processMetrics: false, migrate: false });
    try {
      const listed = await fetch(`${cors.url}/healthz`, { headers: { Origin: 'https://b.example' } });
      expect(listed.headers.get('access-control-allow-origin')).toBe('https://b.example');
      expect(listed.headers.get('vary')).toBe('Origin');
      await listed.arrayBuffer();
      const other = await fetch(`${cors.url}/healthz`, { headers: { Origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      await other.arrayBuffer();
    } finally {
      await cors.stop();
    }
  });
});
