import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseRequestTarget } from '../../kit/src';
import { allowedRoute } from '../../dashboard/server/src/allowedRoutes';
import { firstResponse, parseRequests } from '../../tools/harness/rawHttp';
import { startTcpProxy, type TcpProxy } from '../../tools/harness/tcpProxy';
import { readRepoFile } from './repo';
import { startRealNginx, type RealNginx } from './realNginx';

/**
 * The containers' nginx configs in a real nginx (Debian's; the images run nginx:1.27): a read
 * route never passes a request body on, whatever framing the client tries, and the dashboard's
 * allow-list lets through exactly the paths the node dashboard server's DASHBOARD_ROUTES does.
 * The back ends are stand-ins behind recording TCP proxies: what they received is parsed strictly.
 */
interface StandIn {
  recorder: TcpProxy;
  address: string;
  close(): Promise<void>;
}

async function standIn(handle: http.RequestListener): Promise<StandIn> {
  const server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const recorder = await startTcpProxy('127.0.0.1', (server.address() as AddressInfo).port, { record: true });
  return {
    recorder,
    address: `127.0.0.1:${recorder.port}`,
    close: async () => {
      await recorder.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const ok: http.RequestListener = (req, res) => {
  req.resume();
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 11 });
  res.end('{"ok":true}');
};
const sse: http.RequestListener = (req, res) => {
  req.resume();
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  res.end(': hello\n\n');
};
const auth: http.RequestListener = (req, res) => {
  req.resume();
  res.writeHead(204);
  res.end();
};

let functions: StandIn;
let bridge: StandIn;
let dashboardAuth: StandIn;
let dashboardNginx: RealNginx;
let gatewayNginx: RealNginx;

beforeAll(async () => {
  functions = await standIn(ok);
  bridge = await standIn(sse);
  dashboardAuth = await standIn(auth);
  const upstreams = {
    'functions:80': functions.address,
    'sse-bridge:5001': bridge.address,
    'dashboard-auth:8080': dashboardAuth.address,
  };
  dashboardNginx = await startRealNginx({
    site: readRepoFile('infra/nginx/dashboard.conf'),
    upstreams,
    loopbackPort: true,
    apiKey: 'nginx-key',
  });
  gatewayNginx = await startRealNginx({ site: readRepoFile('infra/nginx/gateway.conf'), upstreams });
}, 30_000);

afterAll(async () => {
  await dashboardNginx?.stop();
  await gatewayNginx?.stop();
  for (const s of [functions, bridge, dashboardAuth]) await s?.close();
});

/** Everything a stand-in received so far, as strictly framed requests (throws on anything else). */
const received = (s: StandIn) => s.recorder.sent().flatMap((bytes) => parseRequests(bytes));

const SMUGGLED =
  'GET /api/health HTTP/1.1\r\nHost: x\r\n\r\nPOST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}';
const chunked = (body: string) => `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
/** Each framing, and nginx's answer: a body it can read is read and dropped (200), the rest it refuses itself. */
const FRAMINGS: Array<[string, string[], string, number]> = [
  ['Content-Length', [`Content-Length: ${SMUGGLED.length}`], SMUGGLED, 200],
  ['chunked', ['Transfer-Encoding: chunked'], chunked(SMUGGLED), 200],
  [
    'Content-Length and chunked',
    [`Content-Length: ${SMUGGLED.length}`, 'Transfer-Encoding: chunked'],
    chunked(SMUGGLED),
    400,
  ],
  ['Transfer-Encoding: xchunked', ['Transfer-Encoding: xchunked'], chunked(SMUGGLED), 501],
  ['Transfer-Encoding: gzip, chunked', ['Transfer-Encoding: gzip, chunked'], chunked(SMUGGLED), 501],
  [
    'Transfer-Encoding: chunked, then identity',
    ['Transfer-Encoding: chunked', 'Transfer-Encoding: identity'],
    chunked(SMUGGLED),
    400,
  ],
  ['Transfer-Encoding folded', ['Transfer-Encoding:', ' chunked'], chunked(SMUGGLED), 400],
];

const raw = (method: string, target: string, lines: string[], body = '') =>
  Buffer.from(
    `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n${lines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n${body}`,
  );

describe('a real nginx passes no request body on a read route', () => {
  const doors: Array<[string, () => number, string, () => StandIn]> = [
    ['dashboard GET /api/stats', () => dashboardNginx.ports['8080'], '/api/stats', () => functions],
    ['dashboard GET /events', () => dashboardNginx.ports['8080'], '/events', () => bridge],
    ['gateway :5001 GET /events', () => gatewayNginx.ports['5001'], '/events', () => bridge],
  ];

  it.each(
    doors.flatMap(([door, port, target, upstream]) =>
      FRAMINGS.map(([name, lines, body, status]) => [door, name, status, port, target, upstream, lines, body] as const),
    ),
  )(
    '%s with %s: nginx answers %d, and passes nothing on but bodiless requests',
    async (_door, _name, status, port, target, upstream, lines, body) => {
      const before = received(upstream()).length;
      for (const method of ['GET', 'HEAD']) {
        const reply = await firstResponse(port(), raw(method, target, lines, body));
        expect(reply?.status).toBe(status);
        // An ordinary request after it, on the same upstream.
        expect((await firstResponse(port(), raw('GET', target, [])))?.status).toBe(200);
      }
      const after = received(upstream()).slice(before);
      for (const request of after) {
        expect({ line: `${request.method} ${request.target}`, body: request.body.length }).toEqual({
          line: expect.stringMatching(new RegExp(`^(GET|HEAD) ${target}$`)),
          body: 0,
        });
        expect(request.headerNames).not.toContain('content-length');
        expect(request.headerNames).not.toContain('transfer-encoding');
      }
      // The two ordinary requests, and the two hostile ones only where nginx answered 200 (their bodies dropped).
      expect(after.length).toBe(status === 200 ? 4 : 2);
      expect(received(functions).map((r) => r.target)).not.toContain('/api/health');
      expect(received(functions).map((r) => r.target)).not.toContain('/webhook');
    },
  );

  it('refuses other methods on the read routes (403) and passes nothing on', async () => {
    const before = received(functions).length;
    for (const method of ['DELETE', 'POST', 'PUT']) {
      const reply = await firstResponse(
        dashboardNginx.ports['8080'],
        raw(method, '/api/stats', [`Content-Length: ${SMUGGLED.length}`], SMUGGLED),
      );
      expect({ method, status: reply?.status }).toEqual({ method, status: 403 });
    }
    expect(received(functions).length).toBe(before);
  });
});

describe("a real nginx lets through exactly the node dashboard server's allow-list", () => {
  const PROBES = [
    '/api/tickets',
    '/api/tickets/',
    '/api/tickets/T1',
    '/api/tickets/T1/',
    '/api/tickets/T1/history',
    '/api/tickets/T1/buyer',
    '/api/stats',
    '/api/stats/',
    '/api/STATS',
    '/api/statsx',
    '/api/deliveries',
    '/api/dead-letters',
    '/api/dead-letters/redrive',
    '/api/dead-letters/7',
    '/api/health',
    '/api/metrics',
    '/api/webhook',
    '/api/webhooks/T1',
    '/api/replay',
    '/api',
    '/api/',
    '/metrics',
    '/webhook',
  ];

  /** Whether the node dashboard server passes a GET of this path to the functions host. */
  const nodePassesOn = (target: string): boolean => {
    const route = allowedRoute(parseRequestTarget(target).segments);
    return (
      route !== undefined && route.upstream === 'functions' && (route.methods as readonly string[]).includes('GET')
    );
  };

  it.each(PROBES)('GET %s: passed on by nginx exactly when by the node server', async (target) => {
    const before = received(functions).length;
    const reply = await firstResponse(dashboardNginx.ports['8080'], raw('GET', target, ['Cookie: petzi_session=x']));
    const passed = received(functions).slice(before);
    expect({ target, nginx: passed.length === 1, status: reply?.status }).toEqual({
      target,
      nginx: nodePassesOn(target),
      status: expect.any(Number),
    });
    if (passed.length === 1) expect(passed[0].target).toBe(target);
  });
});
