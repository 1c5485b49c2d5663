import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startDashboardServer, type RunningDashboardServer } from '../../dashboard/server/src/server';
import { rawRequest } from '../../tools/harness/rawHttp';
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

async function startUpstream(
  handle: (req: http.IncomingMessage, res: http.ServerResponse, self: Upstream) => void,
): Promise<Upstream> {
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
      res.end(
        JSON.stringify(status === 404 ? { error: 'unknown ticket' } : { path: req.url, method: req.method, body }),
      );
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
  dashboard = await startDashboardServer({
    port: 0,
    hostname: '127.0.0.1',
    distDir: dist,
    functionsUrl: functions.url,
    bridgeUrl: bridge.url,
  });
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
    const down = await startDashboardServer({
      port: 0,
      hostname: '127.0.0.1',
      distDir: dist,
      functionsUrl: 'http://127.0.0.1:1',
      bridgeUrl: bridge.url,
    });
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
  const head = (method: string, target: string) =>
    Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);

  it.each(['/api/tickets', '/api/tickets/T%201', '/api/tickets/', '/api/stats?x=1'])(
    'passes GET %s on unchanged',
    async (target) => {
      const before = functions.requests.length;
      const { responses } = await rawRequest(dashboard.port, head('GET', target));
      expect(responses.map((r) => r.status)).toEqual([200]);
      expect(functions.requests.slice(before).map((r) => r.url)).toEqual([target]);
    },
  );

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
    await waitUntil(
      () => (bridge.closedStreams === before + 1 ? true : undefined),
      5000,
      'the upstream stream to close',
    );
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
    const { responses } = await rawRequest(
      dashboard.port,
      Buffer.from('GET /events?lastEventId=%01 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'),
      500,
    );
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
    const down = await startDashboardServer({
      port: 0,
      hostname: '127.0.0.1',
      distDir: dist,
      functionsUrl: functions.url,
      bridgeUrl: 'http://127.0.0.1:1',
      sseRetryMs: 1500,
    });
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
    const own = await startDashboardServer({
      port: 0,
      hostname: '127.0.0.1',
      distDir: dist,
      functionsUrl: functions.url,
      bridgeUrl: bridge.url,
    });
    const sse = await openSse(`${own.url}/events`);
    await waitUntil(() => (bridge.streams.size === 1 ? true : undefined), 5000, 'the upstream stream');
    await own.stop();
    await sse.ended;
    await waitUntil(() => (bridge.streams.size === 0 ? true : undefined), 5000, 'the upstream stream to close');
  });
});

describe('dashboard server: the operations routes', () => {
  const FUNCTION_KEY = 'fn-key-4d1c';
  const ADMIN_KEY = 'admin-key-93be';
  let keyed: RunningDashboardServer;
  beforeAll(async () => {
    keyed = await startDashboardServer({
      port: 0,
      hostname: '127.0.0.1',
      distDir: dist,
      functionsUrl: functions.url,
      bridgeUrl: bridge.url,
      apiKey: FUNCTION_KEY,
      adminKey: ADMIN_KEY,
    });
  });
  afterAll(() => keyed?.stop());

  const redrive = (server: RunningDashboardServer, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/api/dead-letters/redrive`, {
      method: 'POST',
      headers: { origin: server.url, 'content-type': 'application/json', ...headers },
      body,
    });

  it('passes the delivery log and the dead letters on with the function key, never the admin key', async () => {
    for (const target of [
      '/api/deliveries?outcome=schema&status=422&from=2026-11-30T00%3A00%3A00Z&limit=2&cursor=abc',
      '/api/dead-letters?state=waiting&limit=50',
    ]) {
      const before = functions.requests.length;
      const res = await fetch(`${keyed.url}${target}`, { headers: { 'x-functions-key': 'from-the-browser' } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ path: target, method: 'GET', body: '' });
      expect(functions.requests.slice(before).map((r) => [r.url, r.headers['x-functions-key']])).toEqual([
        [target, FUNCTION_KEY],
      ]);
    }
  });

  it('passes a same-origin redrive on with the admin key, the body unchanged', async () => {
    for (const body of ['{"ids":[3,7]}', '{"all":true}']) {
      const before = functions.requests.length;
      const res = await redrive(keyed, body, { 'x-functions-key': 'from-the-browser', cookie: 'a=b' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ path: '/api/dead-letters/redrive', method: 'POST', body });
      const [passed] = functions.requests.slice(before);
      expect([passed.headers['x-functions-key'], passed.headers.cookie]).toEqual([ADMIN_KEY, undefined]);
    }
  });

  const refusals: Array<[string, () => Promise<Response>, number, RegExp]> = [
    [
      'without an Origin',
      () =>
        fetch(`${keyed.url}/api/dead-letters/redrive`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"all":true}',
        }),
      403,
      /Origin/,
    ],
    ['from another origin', () => redrive(keyed, '{"all":true}', { origin: 'https://evil.example' }), 403, /Origin/],
    ['on a server without PETZI_ADMIN_KEY', () => redrive(dashboard, '{"all":true}'), 403, /PETZI_ADMIN_KEY/],
    [
      'as a form',
      () => redrive(keyed, 'all=true', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      /application\/json/,
    ],
    [
      'without a content type',
      () =>
        fetch(`${keyed.url}/api/dead-letters/redrive`, {
          method: 'POST',
          headers: { origin: keyed.url },
          body: new Uint8Array(Buffer.from('{"all":true}')),
        }),
      415,
      /application\/json/,
    ],
    ['with a body that is not JSON', () => redrive(keyed, '{"ids":[1,'), 400, /body must be a JSON object/],
    ['with an empty body', () => redrive(keyed, ''), 400, /ids must be a list/],
    ['with an array', () => redrive(keyed, '[1,2]'), 400, /body must be a JSON object/],
    ['with neither ids nor all', () => redrive(keyed, '{}'), 400, /ids must be a list/],
    ['with no ids', () => redrive(keyed, '{"ids":[]}'), 400, /ids must be a list of 1 to/],
    ['with an id that is not a positive integer', () => redrive(keyed, '{"ids":[1,0]}'), 400, /positive integers/],
    ['with an id as a string', () => redrive(keyed, '{"ids":["1"]}'), 400, /positive integers/],
    ['with a fractional id', () => redrive(keyed, '{"ids":[1.5]}'), 400, /positive integers/],
    ['with all other than true', () => redrive(keyed, '{"all":"yes"}'), 400, /all must be true/],
    ['with both ids and all', () => redrive(keyed, '{"ids":[1],"all":true}'), 400, /ids or all, not both/],
    ['with an unknown field', () => redrive(keyed, '{"ids":[1],"reason":"x"}'), 400, /unknown field "reason"/],
    [
      'with too many ids',
      () => redrive(keyed, JSON.stringify({ ids: Array.from({ length: 1001 }, (_, i) => i + 1) })),
      400,
      /1 to 1000/,
    ],
    [
      'with a body over 16 KiB',
      () => redrive(keyed, JSON.stringify({ ids: [1], pad: 'x'.repeat(20_000) })),
      413,
      /larger than/,
    ],
    ['with GET', () => fetch(`${keyed.url}/api/dead-letters/redrive`), 405, /GET not allowed/],
    [
      'POST on the delivery log',
      () => fetch(`${keyed.url}/api/deliveries`, { method: 'POST', headers: { origin: keyed.url } }),
      405,
      /POST not allowed/,
    ],
    [
      'POST on the dead letters',
      () => fetch(`${keyed.url}/api/dead-letters`, { method: 'POST', headers: { origin: keyed.url } }),
      405,
      /POST not allowed/,
    ],
    [
      'DELETE on a dead letter',
      () => fetch(`${keyed.url}/api/dead-letters/7`, { method: 'DELETE', headers: { origin: keyed.url } }),
      404,
      /not a route/,
    ],
  ];

  it.each(refusals)(
    'refuses a request %s: a JSON 4xx naming the problem, nothing passed on',
    async (_name, send, status, message) => {
      const before = functions.requests.length;
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const answer = (await res.json()) as { error: string; parameter?: string };
      expect(answer.error).toMatch(message);
      // A malformed body's 400 names the field at fault, as the functions' own 400s do.
      if (status === 400) expect(['body', 'ids', 'all', 'reason']).toContain(answer.parameter);
      expect(functions.requests.length).toBe(before);
    },
  );

  it('says which method a route takes', async () => {
    expect((await fetch(`${keyed.url}/api/dead-letters/redrive`)).headers.get('allow')).toBe('POST');
    expect((await fetch(`${keyed.url}/api/deliveries`, { method: 'PUT' })).headers.get('allow')).toBe('GET, HEAD');
  });
});

/** One request from a chosen loopback address (127.0.0.2, …: the client address the server sees). */
function requestFrom(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress, agent: false },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('dashboard server: Host names it serves', () => {
  const PASSWORD = 'host-check-pw';
  let guarded: RunningDashboardServer;
  beforeAll(async () => {
    guarded = await startDashboardServer({
      port: 0,
      distDir: dist,
      functionsUrl: functions.url,
      bridgeUrl: bridge.url,
      login: { user: 'admin', password: PASSWORD },
      publicOrigins: [new URL('https://tickets.example.org')],
    });
  });
  afterAll(() => guarded?.stop());

  const get = (port: number, target: string, host: string | null) =>
    rawRequest(
      port,
      Buffer.from(`GET ${target} HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`),
    );

  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '[::1]'].flatMap((name) => [name, `${name}:PORT`]))(
    'the open loopback development mode still serves Host %s, page and data',
    async (name) => {
      const host = name.replace('PORT', String(dashboard.port));
      const before = functions.requests.length;
      for (const target of ['/', '/api/stats']) {
        const { responses } = await get(dashboard.port, target, host);
        expect({ host, target, status: responses[0]?.status }).toEqual({ host, target, status: 200 });
      }
      expect(functions.requests.length).toBe(before + 1);
    },
  );

  it.each([
    'evil.example',
    'evil.example:8080',
    'tickets.example.org:8443',
    'localhost.evil.example',
    '127.0.0.1.nip.io',
    '10.0.0.5',
  ])(
    'answers a Host it does not serve (%s) with a 421 JSON error, naming DASHBOARD_PUBLIC_ORIGIN, and passes nothing on',
    async (host) => {
      const before = functions.requests.length + bridge.requests.length;
      for (const server of [dashboard, guarded]) {
        for (const target of ['/', '/api/stats', '/events', '/login']) {
          const { responses } = await get(server.port, target, host);
          expect({ target, status: responses[0]?.status }).toEqual({ target, status: 421 });
          expect(JSON.parse(responses[0].body)).toEqual({ error: expect.stringContaining('DASHBOARD_PUBLIC_ORIGIN') });
        }
      }
      expect(functions.requests.length + bridge.requests.length).toBe(before);
    },
  );

  it('refuses a rebinding page its login too: Host and Origin both the attacker’s, right password, no session', async () => {
    const res = await requestFrom(`${guarded.url}/login`, {
      method: 'POST',
      headers: {
        host: 'evil.example',
        origin: 'http://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `user=admin&password=${PASSWORD}`,
    });
    expect(res.status).toBe(421);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('serves its configured public origin, with or without the default port, and HTTP/1.0 without a Host is a 400', async () => {
    for (const host of ['tickets.example.org', 'tickets.example.org:443', `localhost:${guarded.port}`]) {
      const { responses } = await get(guarded.port, '/login', host);
      expect({ host, status: responses[0]?.status }).toEqual({ host, status: 200 });
    }
    const { responses } = await rawRequest(guarded.port, Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    expect(responses[0]?.status).toBe(400);
  });

  it('answers the health probe by any name (an orchestrator asks by address)', async () => {
    const { responses } = await get(guarded.port, '/healthz', '10.1.2.3:8080');
    expect(responses.map((r) => r.status)).toEqual([200]);
  });
});

describe('dashboard server: the login throttle counts per client address', () => {
  const PASSWORD = 'throttle-pw-19';
  let guarded: RunningDashboardServer;
  let behindProxy: RunningDashboardServer;
  beforeAll(async () => {
    const base = {
      port: 0,
      distDir: dist,
      functionsUrl: functions.url,
      bridgeUrl: bridge.url,
      login: { user: 'admin', password: PASSWORD },
    };
    guarded = await startDashboardServer({ ...base, loginFailuresPerMinute: 2, loginFailuresCeiling: 5 });
    behindProxy = await startDashboardServer({
      ...base,
      loginFailuresPerMinute: 2,
      loginFailuresCeiling: 100,
      trustProxy: true,
    });
  });
  afterAll(async () => {
    await guarded?.stop();
    await behindProxy?.stop();
  });

  const attempt = (
    server: RunningDashboardServer,
    password: string,
    from: string,
    headers: Record<string, string> = {},
  ) =>
    requestFrom(`${server.url}/login`, {
      method: 'POST',
      localAddress: from,
      headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: `user=admin&password=${encodeURIComponent(password)}`,
    });

  it("locks out the guessing address only: the real user's right password from elsewhere gets in", async () => {
    expect((await attempt(guarded, 'guess1', '127.0.0.2')).status).toBe(401);
    expect((await attempt(guarded, 'guess2', '127.0.0.2')).status).toBe(401);
    const blocked = await attempt(guarded, PASSWORD, '127.0.0.2');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.headers['set-cookie']).toBeUndefined();
    const user = await attempt(guarded, PASSWORD, '127.0.0.9');
    expect(user.status).toBe(303);
    expect(user.headers['set-cookie']?.[0]).toMatch(/^petzi_session=/);
  });

  it('past the global ceiling (guesses from many addresses) an address that failed waits, and a right first try still gets in', async () => {
    // 2 failures so far this minute (above); 3 more from other addresses reach the ceiling of 5.
    for (const from of ['127.0.0.3', '127.0.0.4', '127.0.0.5'])
      expect((await attempt(guarded, 'guess', from)).status).toBe(401);
    for (const from of ['127.0.0.3', '127.0.0.4', '127.0.0.5'])
      expect((await attempt(guarded, PASSWORD, from)).status).toBe(429);
    // A new address is still checked: a wrong guess counts and that address then waits, the right password gets in.
    expect((await attempt(guarded, 'guess', '127.0.0.6')).status).toBe(401);
    expect((await attempt(guarded, PASSWORD, '127.0.0.6')).status).toBe(429);
    expect((await attempt(guarded, PASSWORD, '127.0.0.10')).status).toBe(303);
  });

  it('behind a trusted proxy (DASHBOARD_TRUST_PROXY), counts the address the proxy appended to X-Forwarded-For', async () => {
    const via = (client: string) => ({ 'x-forwarded-for': `203.0.113.99, ${client}` });
    expect((await attempt(behindProxy, 'guess1', '127.0.0.1', via('198.51.100.1'))).status).toBe(401);
    expect((await attempt(behindProxy, 'guess2', '127.0.0.1', via('198.51.100.1'))).status).toBe(401);
    expect((await attempt(behindProxy, PASSWORD, '127.0.0.1', via('198.51.100.1'))).status).toBe(429);
    // The same proxy, another client behind it.
    expect((await attempt(behindProxy, PASSWORD, '127.0.0.1', via('198.51.100.2'))).status).toBe(303);
  });
});

describe('dashboard server: caps on live streams', () => {
  const PASSWORD = 'caps-pw-4';
  let capped: RunningDashboardServer;
  const open: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    capped = await startDashboardServer({
      port: 0,
      distDir: dist,
      functionsUrl: functions.url,
      bridgeUrl: bridge.url,
      login: { user: 'admin', password: PASSWORD },
      maxStreams: 3,
      maxStreamsPerSession: 2,
    });
  });
  afterAll(async () => {
    for (const s of open) await s.close();
    await capped?.stop();
    await waitUntil(() => (bridge.streams.size === 0 ? true : undefined), 5000, 'the upstream streams to close');
  });

  async function session(): Promise<string> {
    const res = await requestFrom(`${capped.url}/login`, {
      method: 'POST',
      headers: { origin: capped.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: `user=admin&password=${PASSWORD}`,
    });
    return String(res.headers['set-cookie']?.[0]).split(';')[0];
  }

  async function stream(cookie: string): Promise<{ status: number; close(): Promise<void> }> {
    const sse = await openSse(`${capped.url}/events`, { headers: { cookie } });
    if (sse.status === 200) open.push(sse);
    return sse;
  }

  async function refused(cookie: string): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
    const res = await fetch(`${capped.url}/events`, { headers: { cookie, accept: 'text/event-stream' } });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  }

  it('caps the streams of a session, then all streams, with a 503 JSON error and Retry-After; a closed stream frees its slot', async () => {
    const [a, b] = [await session(), await session()];
    const first = await stream(a);
    expect(first.status).toBe(200);
    expect((await stream(a)).status).toBe(200);
    expect(await refused(a)).toEqual({
      status: 503,
      retryAfter: '5',
      body: { error: expect.stringContaining('DASHBOARD_MAX_STREAMS_PER_SESSION'), limit: 'per_session', max: 2 },
    });
    expect((await stream(b)).status).toBe(200);
    expect(await refused(b)).toEqual({
      status: 503,
      retryAfter: '5',
      body: { error: expect.stringContaining('DASHBOARD_MAX_STREAMS'), limit: 'overall', max: 3 },
    });
    const counted = capped.registry.getSingleMetric('dashboard_sse_streams_refused_total');
    expect((await counted?.get())?.values.map((v) => [v.labels.limit, v.value]).sort()).toEqual([
      ['overall', 1],
      ['per_session', 1],
    ]);
    // The refusals never reached the bridge: three streams there, one per stream let in.
    await waitUntil(() => (bridge.streams.size === 3 ? true : undefined), 5000, 'three upstream streams');

    await first.close();
    open.splice(open.indexOf(first), 1);
    await waitUntil(() => (bridge.streams.size === 2 ? true : undefined), 5000, 'the closed stream to end upstream');
    expect((await stream(b)).status).toBe(200);
  });
});
