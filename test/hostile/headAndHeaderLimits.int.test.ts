import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { declaredFunctions, type HttpFunction } from '../../functions/src';
import { MAX_HEADER_BYTES, MAX_HEADER_COUNT } from '../../kit/src';
import { type RunningBridge } from '../../bridge/src/bridge';
import { startDashboardServer, type RunningDashboardServer } from '../../dashboard/server/src/server';
import { firstResponse, rawRequest } from '../../tools/harness/rawHttp';
import { startTestBridge, startTestStack, type TestStack } from '../support/host';

/**
 * The doors do what the docs say, in each of the three processes: HEAD is answered wherever GET
 * is (same status, same headers, no body), and the request head is bounded by total size (more
 * than 16 KiB of header lines) and by count (more than 100 fields): a 431 JSON error and a close.
 */
let stack: TestStack;
let bridge: RunningBridge;
let dashboard: RunningDashboardServer;
let dist: string;

beforeAll(async () => {
  stack = await startTestStack();
  bridge = await startTestBridge(stack);
  dist = await mkdtemp(path.join(os.tmpdir(), 'dashboard-dist-'));
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>app</title>');
  dashboard = await startDashboardServer({
    port: 0,
    distDir: dist,
    functionsUrl: stack.url,
    bridgeUrl: bridge.url,
    log: () => undefined,
  });
});

afterAll(async () => {
  await dashboard?.stop();
  await bridge?.stop();
  await stack?.stop();
  if (dist) await rm(dist, { recursive: true, force: true });
});

const DOORS: Array<[string, () => number]> = [
  ['functions host', () => stack.host.port],
  ['SSE bridge', () => bridge.port],
  ['dashboard server', () => dashboard.port],
];

const request = (method: string, target: string, lines: string[] = []) =>
  Buffer.from(
    `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`,
    'latin1',
  );

/** Every GET route of each door, a route parameter filled in. */
function getRoutes(): Array<[string, string, () => number]> {
  const host = declaredFunctions()
    .filter((f): f is HttpFunction => f.kind === 'http' && f.methods.includes('GET'))
    .map((f) => `/${f.route.replace(/\{[^}]+\}/g, 'TEST00000001')}`);
  return [
    ...host.map((p): [string, string, () => number] => ['functions host', p, () => stack.host.port]),
    ...['/healthz', '/metrics', '/events'].map((p): [string, string, () => number] => [
      'SSE bridge',
      p,
      () => bridge.port,
    ]),
    ...[
      '/healthz',
      '/',
      '/login',
      '/api/stats',
      '/api/tickets',
      '/api/tickets/TEST00000001',
      '/api/deliveries',
      '/api/dead-letters',
      '/events',
    ].map((p): [string, string, () => number] => ['dashboard server', p, () => dashboard.port]),
  ];
}

describe('HEAD wherever GET', () => {
  it.each(getRoutes())('%s answers HEAD %s as it answers GET, without a body', async (_door, target, port) => {
    const get = await firstResponse(port(), request('GET', target, ['Accept: text/event-stream']));
    const head = await firstResponse(port(), request('HEAD', target, ['Accept: text/event-stream']));
    expect(get).toBeDefined();
    expect(head).toBeDefined();
    expect(head?.status).toBe(get?.status);
    expect(head?.headers['content-type']).toBe(get?.headers['content-type']);
    expect(head?.body).toBe('');
  });

  it('opens no stream for a HEAD /events', async () => {
    for (const port of [bridge.port, dashboard.port]) await firstResponse(port, request('HEAD', '/events'));
    const metrics = await (await fetch(`${bridge.url}/metrics`)).text();
    expect(metrics).toMatch(/^sse_clients_connected 0$/m);
  });
});

describe('the request head is bounded by size and by count', () => {
  const fields = (count: number, value = 'v') => Array.from({ length: count }, (_, i) => `X-F${i}: ${value}`);
  /**
   * 90 fields whose header lines, Host and Connection included, come to exactly `total` bytes (each line counted with
   * its CRLF).
   */
  const linesOfTotal = (total: number): string[] => {
    const fixed = 'Host: 127.0.0.1\r\n'.length + 'Connection: close\r\n'.length;
    const names = fields(90, '').reduce((sum, line) => sum + line.length + 2, 0);
    const room = total - fixed - names;
    const each = Math.floor(room / 90);
    return fields(90).map((line, i) => line.replace(/v$/, 'v'.repeat(each + (i < room - each * 90 ? 1 : 0))));
  };

  // Host and Connection count too; the bounds are the documented ones.
  const cases: Array<[string, string[], number]> = [
    [`${MAX_HEADER_COUNT} fields in all`, fields(MAX_HEADER_COUNT - 2), 200],
    [`${MAX_HEADER_COUNT + 1} fields`, fields(MAX_HEADER_COUNT - 1), 431],
    ['2,000 short fields (22 KB)', fields(2000), 431],
    ['one field of 17 KiB', [`X-Big: ${'a'.repeat(17 * 1024)}`], 431],
    // node:http's own bound counts names and values only: these two are under it, and decided by ours.
    [`${MAX_HEADER_BYTES + 1} bytes of header lines`, linesOfTotal(MAX_HEADER_BYTES + 1), 431],
    [`${MAX_HEADER_BYTES} bytes of header lines`, linesOfTotal(MAX_HEADER_BYTES), 200],
  ];

  it.each(
    DOORS.flatMap(([door, port]) => cases.map(([name, lines, status]) => [door, name, status, lines, port] as const)),
  )('%s: %s gets %d', async (_door, _name, status, lines, port) => {
    const { responses, closedByServer } = await rawRequest(port(), request('GET', '/healthz', lines));
    expect(responses.map((r) => r.status)).toEqual([status]);
    if (status !== 431) return;
    expect(closedByServer).toBe(true);
    expect(responses[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(responses[0].body)).toEqual({ error: expect.stringMatching(/^Request headers too large/) });
  });

  it('counts the header lines as they are on the wire', () => {
    for (const total of [MAX_HEADER_BYTES, MAX_HEADER_BYTES + 1]) {
      const bytes = request('GET', '/healthz', linesOfTotal(total));
      const head = bytes.toString('latin1');
      expect(head.length - head.indexOf('\r\n') - 2 - 2).toBe(total);
    }
  });
});
