import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { declaredFunctions, type HttpFunction, createPool } from '../../functions/src';
import { createLimitedServer } from '../../kit/src';
import { createBridgeMetrics } from '../../bridge/src/bridgeMetrics';
import { ClientHub } from '../../bridge/src/clientHub';
import { createRequestHandler } from '../../bridge/src/httpRoutes';
import { LiveEventStore } from '../../bridge/src/liveEventStore';
import { startTestStack, type TestStack } from '../support/host';
import { rawRequest, type RawResponse } from '../../tools/harness/rawHttp';

const allFunctions = declaredFunctions();

/**
 * An exception no handler expected, on the host and on the bridge: the client gets a 500 JSON
 * error, the failure is logged once with the function's (or route's) name and counted in
 * http_handler_errors_total, and the process goes on serving. Malformed paths are the client's
 * error: a 400, nothing logged.
 */
const explodes: HttpFunction = {
  kind: 'http',
  name: 'explodes',
  route: 'api/explodes',
  methods: ['GET'],
  handler: () => () => {
    throw new Error('thrown synchronously');
  },
};
const rejects: HttpFunction = {
  kind: 'http',
  name: 'rejects',
  route: 'api/rejects',
  methods: ['GET'],
  handler: () => () => Promise.reject(new Error('rejected later')),
};

const get = async (port: number, target: string): Promise<RawResponse> => {
  const { responses } = await rawRequest(
    port,
    Buffer.from(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
  );
  expect(responses).toHaveLength(1);
  return responses[0];
};

const counted = (metrics: string, handler: string): number => {
  const line = metrics.split('\n').find((l) => l.startsWith(`http_handler_errors_total{handler="${handler}"}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
};

describe('functions host', () => {
  let stack: TestStack;
  const errors: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack({
      functions: [...allFunctions, explodes, rejects],
      log: { info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) },
    });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it.each([
    ['explodes', '/api/explodes', 'thrown synchronously'],
    ['rejects', '/api/rejects', 'rejected later'],
  ])('%s: a 500 JSON reply, logged once by name, counted, and the host serves on', async (name, target, message) => {
    errors.length = 0;
    const reply = await get(stack.host.port, target);
    expect(reply.status).toBe(500);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body)).toEqual({ error: 'Internal error' });
    expect(errors).toEqual([`${name} failed: ${message}`]);
    expect(counted((await get(stack.host.port, '/metrics')).body, name)).toBe(1);
    expect((await get(stack.host.port, '/api/health')).status).toBe(200);
  });

  it.each([
    '/api/tickets/%ZZ',
    '/api/tickets/%ED%A0%80',
    '/api/tickets/%00',
    '/api/tickets/%',
    '//webhook',
    '/api/../metrics',
    '*',
  ])('GET %s: a 400 JSON error, nothing logged, the host serves on', async (target) => {
    errors.length = 0;
    const reply = await get(stack.host.port, target);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ error: expect.any(String) });
    expect(errors).toEqual([]);
    expect((await get(stack.host.port, '/api/health')).status).toBe(200);
  });

  it('gives a function the URL it asked for even when the Host header is garbage', async () => {
    const { responses } = await rawRequest(
      stack.host.port,
      Buffer.from('GET /api/health HTTP/1.1\r\nHost: a b[:x\r\nConnection: close\r\n\r\n'),
    );
    expect(responses.map((r) => r.status)).toEqual([200]);
  });
});

describe('SSE bridge', () => {
  it('a route whose dependency fails unexpectedly: a 500 JSON reply, logged once by name, counted, and the bridge serves on', async () => {
    const registry = new Registry();
    const metrics = createBridgeMetrics(registry, {
      connectedClients: () => 0,
      lastSeq: () => undefined,
      processMetrics: false,
    });
    // Nothing listens on port 1: the deliberately broken dependency of this bridge's /healthz.
    const pool = createPool('postgres://postgres:postgres@127.0.0.1:1/none', { max: 1 });
    const logged: string[] = [];
    const server = createLimitedServer(
      {},
      createRequestHandler({
        hub: new ClientHub(1024, metrics),
        store: new LiveEventStore(pool),
        metrics,
        registry,
        corsHeaders: {},
        log: (m) => logged.push(m),
        maxHistory: 10,
        accepting: () => true,
        health: async () => {
          await pool.query('SELECT 1');
          return { postgres: true, rabbitmq: true };
        },
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const reply = await get(port, '/healthz');
      expect(reply.status).toBe(500);
      expect(JSON.parse(reply.body)).toEqual({ error: 'Internal error' });
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(/^bridge \/healthz failed: /);
      expect(counted((await get(port, '/metrics')).body, 'bridge /healthz')).toBe(1);
      for (const target of ['/events?history=%00', '/events/%ZZ', '/%ED%A0%80', '//events'])
        expect((await get(port, target)).status).toBe(400);
      expect((await get(port, '/metrics')).status).toBe(200);
      expect(logged).toHaveLength(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    }
  });
});
