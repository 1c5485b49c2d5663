import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { declaredFunctions, type HttpFunction } from '../../functions/src';
import { parseRequestTarget } from '../../kit/src';
import { type RunningBridge } from '../../bridge/src/bridge';
import { BRIDGE_ROUTES } from '../../bridge/src/httpRoutes';
import { DASHBOARD_ROUTES, allowedRoute } from '../../dashboard/server/src/allowedRoutes';
import { startDashboardServer, type RunningDashboardServer } from '../../dashboard/server/src/server';
import { startTestBridge, startTestStack, type TestStack } from '../support/host';
import { firstResponse, type FirstResponse } from '../../tools/harness/rawHttp';
import { fuzzSeed } from './seed';

const allFunctions = declaredFunctions();

/**
 * A property-based fuzz of every route of every door: the functions host, the SSE bridge, the
 * dashboard server, and a dashboard server whose upstreams are down (the deliberately broken
 * dependency: the only place a 5xx, a 502 on a passed-on route, is right). Requests are written
 * as raw bytes: random methods, paths built around each door's real routes with hostile
 * percent-encodings, dot segments and slashes, random queries and headers. Every reply must be a
 * 4xx JSON error or a 2xx in one of the door's documented content types; at the end every process
 * still answers its health request. The figures go to test-artifacts/hostile-doors.json.
 */
const SEED = fuzzSeed();
/** Cases per live door (the dead-upstream door gets a third): 20 to 30 s in all on a shared 2-core machine. */
const RUNS = Number(process.env.FUZZ_DOOR_CASES ?? 600);

const hostRoutes = allFunctions.filter((f): f is HttpFunction => f.kind === 'http').map((f) => `/${f.route}`);

interface Door {
  name: string;
  port: () => number;
  routes: string[];
  health: string;
  /** Content types a 2xx may have (prefixes). */
  okTypes: string[];
  /** A 5xx this door may give for a target: only where it passes a request on to a dead upstream. */
  may5xx?: (target: string, status: number) => boolean;
  runs: number;
}

let stack: TestStack;
let bridge: RunningBridge;
let dashboard: RunningDashboardServer;
let brokenDashboard: RunningDashboardServer;
let dist: string;

const passedOn = (target: string): boolean => {
  try {
    return allowedRoute(parseRequestTarget(target).segments) !== undefined;
  } catch {
    return false;
  }
};

const STATIC_TYPES = ['text/html', 'text/javascript', 'text/plain', 'text/css', 'application/json'];
const DOORS: Door[] = [
  {
    name: 'functions host',
    port: () => stack.host.port,
    routes: hostRoutes,
    health: '/api/health',
    okTypes: ['application/json', 'text/plain; version=0.0.4'],
    runs: RUNS,
  },
  {
    name: 'SSE bridge',
    port: () => bridge.port,
    routes: BRIDGE_ROUTES,
    health: '/healthz',
    okTypes: ['application/json', 'text/event-stream', 'text/plain; version=0.0.4'],
    runs: RUNS,
  },
  {
    name: 'dashboard server',
    port: () => dashboard.port,
    routes: [
      ...DASHBOARD_ROUTES.map((r) => r.path),
      '/healthz',
      '/',
      '/index.html',
      '/assets/index-AbCd1234.js',
      '/tickets/T1',
    ],
    health: '/healthz',
    okTypes: ['text/event-stream', ...STATIC_TYPES],
    runs: RUNS,
  },
  {
    name: 'dashboard server, upstreams down',
    port: () => brokenDashboard.port,
    routes: [...DASHBOARD_ROUTES.map((r) => r.path), '/healthz'],
    health: '/healthz',
    okTypes: ['text/event-stream', ...STATIC_TYPES],
    may5xx: (target, status) => status === 502 && passedOn(target),
    runs: Math.ceil(RUNS / 3),
  },
];

beforeAll(async () => {
  // Short limits: a case that declares more body than it sends is answered within seconds.
  stack = await startTestStack({ httpTimeouts: { requestTimeoutMs: 2000, headersTimeoutMs: 2000 } });
  bridge = await startTestBridge(stack, {
    HTTP_REQUEST_TIMEOUT_MS: '2000',
    HTTP_HEADERS_TIMEOUT_MS: '2000',
  });
  dist = await mkdtemp(path.join(os.tmpdir(), 'dashboard-dist-'));
  await mkdir(path.join(dist, 'assets'));
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(path.join(dist, 'assets', 'index-AbCd1234.js'), 'console.log(1)');
  const limits = { requestTimeoutMs: 2000, headersTimeoutMs: 2000 };
  const quiet = () => undefined;
  dashboard = await startDashboardServer({
    port: 0,
    hostname: '127.0.0.1',
    distDir: dist,
    functionsUrl: stack.url,
    bridgeUrl: bridge.url,
    httpTimeouts: limits,
    log: quiet,
  });
  brokenDashboard = await startDashboardServer({
    port: 0,
    hostname: '127.0.0.1',
    distDir: dist,
    functionsUrl: 'http://127.0.0.1:1',
    bridgeUrl: 'http://127.0.0.1:1',
    httpTimeouts: limits,
    log: quiet,
  });
});

afterAll(async () => {
  await brokenDashboard?.stop();
  await dashboard?.stop();
  await bridge?.stop();
  await stack?.stop();
  if (dist) await rm(dist, { recursive: true, force: true });
});

// ---- the generators ----

const hex = (byte: number) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
/** Percent-encodings and characters that broke or fooled a door once, or could. */
const ENCODED_PIECES = [
  '%ZZ',
  '%',
  '%E',
  '%ED%A0%80',
  '%C0%AE',
  '%00',
  '%0A',
  '%0D',
  '%2e%2e',
  '%2E',
  '..',
  '.',
  '%2f',
  '%2F',
  '%5c',
  '%FF',
  '%E2%9C%93',
  '%20',
];
/** Characters a path may hold literally, and some it may not (the HTTP parser refuses those: a 400 too). */
const RAW_PIECES = [
  '+',
  ';',
  ':',
  '@',
  '~',
  '!',
  '$',
  '*',
  "'",
  '(',
  ')',
  ',',
  '=',
  '&',
  '{number}',
  '\\',
  'é',
  '"',
  '<',
  '>',
  '|',
  '^',
  '`',
  '{',
  '}',
];
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~-]{1,10}$/) },
  { weight: 3, arbitrary: fc.constantFrom(...ENCODED_PIECES) },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_PIECES) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 4 }).map((bytes) => [...bytes].map(hex).join('')) },
);
const segment = fc.array(piece, { minLength: 0, maxLength: 3 }).map((parts) => parts.join(''));
/** What a route parameter gets: mostly something a caller might send, sometimes anything. */
const parameter = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/) },
  { weight: 2, arbitrary: segment },
);
const separator = fc.constantFrom('/', '/', '/', '//', '\\', '/./', '/../', '/%2e%2e/');

function pathFor(routes: readonly string[]): fc.Arbitrary<string> {
  const route = fc.constantFrom(...routes);
  const concrete = fc.tuple(route, parameter).map(([r, s]) => r.replace(/\{[^}]+\}/g, s === '' ? 'T1' : s));
  return fc.oneof(
    { weight: 8, arbitrary: concrete },
    {
      weight: 3,
      arbitrary: fc
        .tuple(concrete, fc.array(fc.tuple(separator, segment), { minLength: 1, maxLength: 3 }))
        .map(([r, rest]) => r + rest.map(([sep, s]) => sep + s).join('')),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.array(fc.tuple(separator, segment), { minLength: 1, maxLength: 4 }), concrete)
        .map(([before, r]) => before.map(([sep, s]) => sep + s).join('') + r),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '*',
        'http://127.0.0.1:5000/metrics',
        '127.0.0.1:80',
        '',
        '/%',
        '/?',
        '/#x',
        'metrics',
      ),
    },
  );
}

const queryKey = fc.oneof(fc.constantFrom('limit', 'before', 'history', 'lastEventId', 'code', 'number', ''), piece);
const queryValue = fc.oneof(
  fc.constantFrom('1', '0', '-1', '500', '501', '1e3', '9007199254740993', '999999999999999999999', 'abc', ''),
  segment,
);
const query = fc.option(
  fc
    .array(fc.tuple(queryKey, fc.option(queryValue)), { minLength: 1, maxLength: 4 })
    .map((pairs) => '?' + pairs.map(([k, v]) => (v === null ? k : `${k}=${v}`)).join('&')),
  { freq: 2 },
);

const headerName = fc.oneof(
  fc.constantFrom(
    'Last-Event-ID',
    'Accept',
    'Content-Type',
    'x-functions-key',
    'Origin',
    'Cookie',
    'Authorization',
    'Petzi-Signature',
    'Range',
    'If-None-Match',
    'X-Forwarded-For',
    'Accept-Encoding',
    'Expect',
    'Upgrade',
    'Cache-Control',
    'Petzi-Version',
  ),
  fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/),
);
const headerValue = fc.oneof(
  fc.constantFrom(
    'text/event-stream',
    'application/json',
    '*/*',
    '100-continue',
    'websocket',
    'gzip, br',
    'bytes=0-10',
    '-1',
    '0',
    '42',
    '99999999999999999999',
    't=1,v1=00',
    '',
  ),
  fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
  fc
    .uint8Array({ minLength: 1, maxLength: 20 })
    .map((bytes) => Buffer.from(bytes.map((b) => 0x80 | b)).toString('latin1')),
  fc.nat({ max: 3000 }).map((n) => 'x'.repeat(n)),
);
const method = fc.oneof(
  { weight: 8, arbitrary: fc.constant('GET') },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'HEAD',
      'POST',
      'PUT',
      'DELETE',
      'OPTIONS',
      'PATCH',
      'TRACE',
      'CONNECT',
      'PROPFIND',
      'get',
      'FOO',
    ),
  },
);
const body = fc.option(
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  { freq: 3 },
);

interface Case {
  method: string;
  target: string;
  headers: Array<[string, string]>;
  host: boolean;
  body: Buffer | null;
}

function caseFor(door: Door): fc.Arbitrary<Case> {
  return fc.record({
    method,
    target: fc.tuple(pathFor(door.routes), query).map(([p, q]) => p + (q ?? '')),
    headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 5 }),
    host: fc.oneof({ weight: 15, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    body,
  });
}

function bytesOf(c: Case): Buffer {
  const lines = [`${c.method} ${c.target} HTTP/1.1`];
  if (c.host) lines.push('Host: 127.0.0.1');
  for (const [name, value] of c.headers) lines.push(`${name}: ${value}`);
  lines.push('Connection: close');
  if (c.body) lines.push(`Content-Length: ${c.body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), c.body ?? Buffer.alloc(0)]);
}

// ---- the checks ----

function problem(door: Door, c: Case, reply: FirstResponse | undefined): string | undefined {
  if (!reply) return 'closed without a reply';
  const type = reply.headers['content-type'] ?? '';
  const hasBody = c.method !== 'HEAD' && reply.status !== 204 && reply.status !== 304;
  if (reply.status >= 500 && !door.may5xx?.(c.target, reply.status)) return `a ${reply.status}`;
  if (reply.status >= 400) {
    if (!type.startsWith('application/json')) return `a ${reply.status} that is not JSON (${type})`;
    if (!hasBody) return undefined;
    try {
      const parsed = JSON.parse(reply.body) as { error?: unknown };
      return typeof parsed.error === 'string' && parsed.error !== ''
        ? undefined
        : 'an error reply without an error message';
    } catch {
      return `a ${reply.status} whose body is not JSON`;
    }
  }
  if (reply.status < 200 || reply.status >= 300) return `a ${reply.status}`;
  if (reply.status === 204) return undefined;
  if (!door.okTypes.some((t) => type.startsWith(t))) return `a ${reply.status} of undocumented type "${type}"`;
  if (type.startsWith('application/json') && hasBody) {
    try {
      JSON.parse(reply.body);
    } catch {
      return `a ${reply.status} JSON reply that does not parse`;
    }
  }
  return undefined;
}

const figures: Record<string, { cases: number; byStatus: Record<string, number> }> = {};

describe(`every door under fuzzed requests (seed ${SEED}, ${RUNS} per live door)`, () => {
  it.each(DOORS.map((d) => [d.name, d] as const))(
    '%s: never a 5xx (but from a dead upstream), always a JSON error or a documented reply',
    async (name, door) => {
      const tally = { cases: 0, byStatus: {} as Record<string, number> };
      figures[name] = tally;
      await fc.assert(
        fc.asyncProperty(caseFor(door), async (c) => {
          const reply = await firstResponse(door.port(), bytesOf(c));
          tally.cases += 1;
          const status = reply ? String(reply.status) : 'closed';
          tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
          const wrong = problem(door, c, reply);
          if (wrong)
            throw new Error(
              `${name} gave ${wrong} to ${JSON.stringify(bytesOf(c).subarray(0, 300).toString('latin1'))}: ${reply?.body.slice(0, 200)}`,
            );
        }),
        { seed: SEED, numRuns: door.runs, endOnFailure: false },
      );
      // Still alive and well: the door answers its health request.
      const health = await firstResponse(
        door.port(),
        Buffer.from(`GET ${door.health} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
      );
      expect(health?.status).toBe(200);
    },
    120_000,
  );

  afterAll(() => {
    const dir = path.join(__dirname, '..', '..', 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'hostile-doors.json'),
      `${JSON.stringify({ seed: SEED, at: new Date().toISOString(), doors: figures }, null, 2)}\n`,
    );
    console.log(`hostile doors (seed ${SEED}): ${JSON.stringify(figures)}`);
  });
});
