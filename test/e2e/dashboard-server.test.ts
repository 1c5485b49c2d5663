import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startDashboardServer, type RunningDashboardServer } from '../../dashboard/server/src/server';
import { rawRequest } from '../hostile/rawHttp';
import { openSse } from '../support/sse';
import { waitUntil } from '../support/wait';

/**
 * The production dashboard server against small real upstreams (node:http servers standing in
 * for the functions host and the bridge, recording what reached them).
 */
interface Upstream {
  url: string;
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }>;
  streams: Set<http.ServerResponse>;
  closedStreams: number;
  stop(): Promise<void>;
}

async function startUpstream(handle: (req: http.IncomingMessage, res: http.ServerResponse, self: Upstream) => void): Promise<Upstream> {
  const self: Upstream = { url: '', requests: [], streams: new Set(), closedStreams: 0, stop: async () => undefined };
  const server = http.createServer((req, res) => {
    self.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handle(req, res, self);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  self.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  self.stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return self;
}

let dist: string;
let functions: Upstream;
let bridge: Upstream;
let dashboard: RunningDashboardServer;

beforeAll(async () => {
  dist = await mkdtemp(path.join(os.tmpdir(), 'dashboard-dist-'));
  await mkdir(path.join(dist, 'assets'));
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(path.join(dist, 'assets', 'index-AbCd1234.js'), 'console.log(1)');
  await writeFile(path.join(dist, 'assets', 'index-AbCd1234.css'), 'body{}');
  await writeFile(path.join(dist, 'robots.txt'), 'User-agent: *');
  await writeFile(path.join(os.tmpdir(), 'dashboard-secret.txt'), 'TOP-SECRET-CONTENT');

  functions = await startUpstream((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const status = req.url?.startsWith('/api/tickets/missing') ? 404 : 200;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(status === 404 ? { error: 'unknown ticket' } : { path: req.url, method: req.method, body }));
    });
  });
  bridge = await startUpstream((req, res, self) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.write(': hello\n\n');
    self.streams.add(res);
    res.on('close', () => {
      self.streams.delete(res);
      self.closedStreams += 1;
    });
  });
  dashboard = await startDashboardServer({ port: 0, hostname: '127.0.0.1', distDir: dist, functionsUrl: functions.url, bridgeUrl: bridge.url });
});

afterAll(async () => {
  await dashboard?.stop();
  await functions?.stop();
  await bridge?.stop();
  await rm(dist, { recursive: true, force: true });
  await rm(path.join(os.tmpdir(), 'dashboard-secret.txt'), { force: true });
});

describe('dashboard server: the built app', () => {
  it('serves index.html at / and for client-side paths, never cached stale', async () => {
    for (const p of ['/', '/tickets/T1']) {
      const res = await fetch(`${dashboard.url}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<title>app</title>');
    }
  });

  it('serves hashed assets with their content type, cached for good', async () => {
    const js = await fetch(`${dashboard.url}/assets/index-AbCd1234.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log(1)');
    const css = await fetch(`${dashboard.url}/assets/index-AbCd1234.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const txt = await fetch(`${dashboard.url}/robots.txt`);
    expect(txt.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(txt.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers a missing asset with a 404 JSON error, not the app', async () => {
    const res = await fetch(`${dashboard.url}/assets/nope-12345678.js`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not found: /assets/nope-12345678.js' });
  });

  it('never serves a file outside the build directory', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      // fetch would normalise the ../, so send the raw path.
      const req = http.get(`${dashboard.url}/..%2fdashboard-secret.txt`, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    // An encoded slash is never a canonical path: refused before any file is looked up.
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ error: expect.any(String) });
    expect(res.body).not.toContain('TOP-SECRET-CONTENT');
  });

  it('rejects other methods with a 405 JSON error', async () => {
    const res = await fetch(`${dashboard.url}/`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({ error: 'method DELETE not allowed' });
  });
});

describe('dashboard server: /api', () => {
  it('passes requests, query strings and statuses through to the functions host', async () => {
    const res = await fetch(`${dashboard.url}/api/tickets?limit=5&before=9`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ path: '/api/tickets?limit=5&before=9', method: 'GET', body: '' });
    const missing = await fetch(`${dashboard.url}/api/tickets/missing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'unknown ticket' });
    const last = functions.requests[functions.requests.length - 1];
    expect(last.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('answers 502 with a JSON error when the functions host is down', async () => {
    const down = await startDashboardServer({ port: 0, hostname: '127.0.0.1', distDir: dist, functionsUrl: 'http://127.0.0.1:1', bridgeUrl: bridge.url });
    try {
      const res = await fetch(`${down.url}/api/stats`);
      expect(res.status).toBe(502);
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(/^functions host unavailable: .*ECONNREFUSED/);
    } finally {
      await down.stop();
    }
  });
});

describe('dashboard server: only the routes the dashboard calls are passed on', () => {
  const head = (method: string, target: string) => Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

  it.each(['/api/tickets', '/api/tickets/T%201', '/api/tickets/', '/api/stats?x=1'])('passes GET %s on unchanged', async (target) => {
    const before = functions.requests.length;
    const { responses } = await rawRequest(dashboard.port, head('GET', target));
    expect(responses.map((r) => r.status)).toEqual([200]);
    expect(functions.requests.slice(before).map((r) => r.url)).toEqual([target]);
  });

  // Spellings that would reach /metrics or /webhook (or another host route) if passed on, or if
  // normalised after the allow-list: every one is refused here and nothing reaches the host.
  const refused: Array<[string, string, number]> = [
    ['GET', '/api/../metrics', 400],
    ['GET', '/api/%2e%2e/metrics', 400],
    ['GET', '/api/%2E%2E/metrics', 400],
    ['GET', '/api/.%2e/metrics', 400],
    ['POST', '/api/../webhook', 400],
    ['GET', '/api/tickets/..%2f..%2fmetrics', 400],
    ['GET', '/api/tickets/%2e%2e/%2e%2e/metrics', 400],
    ['GET', '/api/..\\metrics', 400],
    ['GET', '/api/%5c..%5cmetrics', 400],
    ['GET', '//metrics', 400],
    ['GET', '//api/stats', 400],
    ['GET', '/api//stats', 400],
    ['GET', '/api/./stats', 400],
    ['GET', '/api/tickets/%ZZ', 400],
    ['GET', '/api/tickets/%ED%A0%80', 400],
    ['GET', '/api/tickets/%00', 400],
    ['GET', 'http://127.0.0.1:5000/metrics', 400],
    ['GET', '/api/metrics', 404],
    ['GET', '/api/webhook', 404],
    ['POST', '/api/webhook', 404],
    ['GET', '/api/health', 404],
    ['GET', '/api', 404],
    ['GET', '/api/tickets/T1/history', 404],
    ['GET', '/api/STATS', 404],
    ['POST', '/api/tickets', 405],
    ['DELETE', '/api/tickets/T1', 405],
    ['POST', '/webhook', 405],
  ];

  it.each(refused)('%s %s: a JSON %i, nothing passed on', async (method, target, status) => {
    const before = functions.requests.length + bridge.requests.length;
    const { responses } = await rawRequest(dashboard.port, head(method, target));
    expect(responses.map((r) => r.status)).toEqual([status]);
    expect(responses[0].headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(responses[0].body)).toEqual({ error: expect.any(String) });
    expect(functions.requests.length + bridge.requests.length).toBe(before);
  });

  it('serves the app, never the host, at /metrics and /webhook', async () => {
    const before = functions.requests.length;
    for (const target of ['/metrics', '/webhook']) {
      const { responses } = await rawRequest(dashboard.port, head('GET', target));
      expect(responses.map((r) => r.status)).toEqual([200]);
      expect(responses[0].body).toContain('<title>app</title>');
    }
    expect(functions.requests.length).toBe(before);
  });
});

describe('dashboard server: /events', () => {
  it('streams event by event, forwards Last-Event-ID and closes upstream when the client leaves', async () => {
    const before = bridge.closedStreams;
    const sse = await openSse(`${dashboard.url}/events`, { lastEventId: 41 });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toBe('text/event-stream');
    expect(sse.headers.get('cache-control')).toBe('no-cache, no-transform');
    await waitUntil(() => (bridge.streams.size === 1 ? true : undefined), 5000, 'the upstream stream');
    expect(bridge.requests[bridge.requests.length - 1].headers['last-event-id']).toBe('41');
    const [upstream] = bridge.streams;
    // One event at a time: each must arrive before the next is written.
    upstream.write('id: 42\nevent: ticket\ndata: {"id":42}\n\n');
    await sse.waitFor(1, 5000);
    upstream.write('id: 43\nevent: ticket\ndata: {"id":43}\n\n');
    const events = await sse.waitFor(2, 5000);
    expect(events.map((e) => [e.id, e.event, e.data])).toEqual([
      ['42', 'ticket', '{"id":42}'],
      ['43', 'ticket', '{"id":43}'],
    ]);
    await sse.close();
    await waitUntil(() => (bridge.closedStreams === before + 1 ? true : undefined), 5000, 'the upstream stream to close');
    expect(bridge.streams.size).toBe(0);
  });

  it('turns ?lastEventId= into the Last-Event-ID header (a fresh EventSource resuming)', async () => {
    const sse = await openSse(`${dashboard.url}/events?lastEventId=77`);
    await waitUntil(() => (bridge.streams.size === 1 ? true : undefined), 5000, 'the upstream stream');
    expect(bridge.requests[bridge.requests.length - 1].headers['last-event-id']).toBe('77');
    await sse.close();
    await waitUntil(() => (bridge.streams.size === 0 ? true : undefined), 5000, 'the upstream stream to close');
  });

  it('leaves a ?lastEventId= no header can carry in the query for the bridge to refuse (found by the door fuzz: it was a 500)', async () => {
    const { responses } = await rawRequest(dashboard.port, Buffer.from('GET /events?lastEventId=%01 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 500);
    expect(responses.map((r) => r.status)).toEqual([200]);
    const last = bridge.requests[bridge.requests.length - 1];
    expect(last.url).toBe('/events?lastEventId=%01');
    expect(last.headers['last-event-id']).toBeUndefined();
    await waitUntil(() => (bridge.streams.size === 0 ? true : undefined), 5000, 'the upstream stream to close');
  });

  it('ends the client stream when the bridge ends it, so EventSource reconnects', async () => {
    const sse = await openSse(`${dashboard.url}/events`);
    await waitUntil(() => (bridge.streams.size === 1 ? true : undefined), 5000, 'the upstream stream');
    const [upstream] = bridge.streams;
    upstream.end('id: 50\nevent: ticket\ndata: {"id":50}\n\n');
    await sse.ended;
    expect(sse.events.map((e) => e.id)).toEqual(['50']);
  });

  it('while the bridge is unreachable, tells an EventSource to retry instead of failing it', async () => {
    const down = await startDashboardServer({ port: 0, hostname: '127.0.0.1', distDir: dist, functionsUrl: functions.url, bridgeUrl: 'http://127.0.0.1:1', sseRetryMs: 1500 });
    try {
      const sse = await openSse(`${down.url}/events`);
      await sse.ended;
      expect(sse.status).toBe(200);
      expect(sse.retry).toBe(1500);
      expect(sse.events).toHaveLength(1);
      expect(sse.events[0].event).toBe('unavailable');
      expect((JSON.parse(sse.events[0].data) as { error: string }).error).toMatch(/^bridge unavailable: /);
      const plain = await fetch(`${down.url}/events`, { headers: { Accept: 'application/json' } });
      expect(plain.status).toBe(502);
      expect(((await plain.json()) as { error: string }).error).toMatch(/^bridge unavailable: /);
    } finally {
      await down.stop();
    }
  });

  it('stop() ends open streams instead of hanging on them', async () => {
    const own = await startDashboardServer({ port: 0, hostname: '127.0.0.1', distDir: dist, functionsUrl: functions.url, bridgeUrl: bridge.url });
    const sse = await openSse(`${own.url}/events`);
    await waitUntil(() => (bridge.streams.size === 1 ? true : undefined), 5000, 'the upstream stream');
    await own.stop();
    await sse.ended;
    await waitUntil(() => (bridge.streams.size === 0 ? true : undefined), 5000, 'the upstream stream to close');
  });
});
