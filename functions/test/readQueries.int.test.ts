import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { declaredFunctions, type HttpFunction } from '../src';
import { statsReport } from '../src/read-api/stats';
import { QueryParamError } from '../src/http/query';
import { fuzzSeed } from '../../test/hostile/seed';
import { queryOnce } from '../../test/support/db';
import { startTestStack, type TestStack } from '../../test/support/host';
import { waitUntil } from '../../test/support/wait';
import { postWebhook, ticketBody } from '../../test/support/webhooks';

/**
 * A property test of every GET route of the functions host, driven over HTTP against real
 * Postgres: generated query strings (the routes' own parameter names and others, repeated or
 * not; values that are valid, on a boundary, or garbage: impossible dates, crafted cursors,
 * numbers past int and bigint, exponents, NaN, time zones) must be answered 200, or 4xx JSON
 * whose `param` names a parameter of the request or the route; never 5xx. Figures: test-artifacts/read-queries.json.
 */
const SEED = fuzzSeed();
/** About 7 s on an idle 2-core machine, 20 s on a busy one; FUZZ_QUERY_CASES for more. */
const RUNS = Number(process.env.FUZZ_QUERY_CASES ?? 1_500);

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
  // A few tickets at two prices and two events, so that lists, cursors, CSV and sales have rows to read.
  for (const n of [1, 2, 3, 4]) {
    const body = ticketBody(n, { price: { amount: n % 2 === 0 ? '20.00' : '15.50', currency: 'CHF' } });
    expect((await postWebhook(stack.url, body)).status).toBe(200);
  }
  await waitUntil(
    async () =>
      (await queryOnce<{ n: string }>(stack.db.url, 'SELECT count(*) AS n FROM ticket'))[0].n === '4'
        ? true
        : undefined,
    15_000,
    'the tickets relayed',
  );
});

afterAll(async () => {
  await stack?.stop();
});

// ---- values ----

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const pad = (n: number, width: number) => String(n).padStart(width, '0');

const INTEGERS = [
  '0',
  '1',
  '-1',
  '2',
  '50',
  '100',
  '404',
  '500',
  '501',
  '599',
  '600',
  '2147483647',
  '2147483648',
  '-2147483648',
  '4294967296',
  '9007199254740991',
  '9007199254740992',
  '9223372036854775807',
  '9223372036854775808',
  '99999999999999999999999',
  '1e3',
  '1E3',
  '1e308',
  '0x10',
  '0b1',
  '1.5',
  '1.0',
  '+5',
  ' 5',
  '5 ',
  '005',
  '00000000000000000000001',
  'NaN',
  'Infinity',
  '-0',
  '١',
  '５',
];
const integer = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INTEGERS) },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 2_000 }).map(String) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
);

const OFFSETS = [
  'Z',
  'z',
  '+00:00',
  '-00:00',
  '+01:00',
  '-12:00',
  '+14:00',
  '+15:59',
  '+23:59',
  '+24:00',
  '+99:99',
  '+0100',
  '+01',
  '',
];
/** An instant built from parts that may each be out of range: Feb 30, hour 24, minute 60, offset +99:99. */
const composedInstant = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: 0, max: 9999 }).map((y) => pad(y, 4)),
      fc.constantFrom('20261', '-2026', '+020260'),
    ),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 25 }),
    fc.integer({ min: 0, max: 61 }),
    fc.option(fc.integer({ min: 0, max: 61 })),
    fc.option(fc.stringMatching(/^[0-9]{1,12}$/)),
    fc.constantFrom(...OFFSETS),
    fc.constantFrom('T', 'T', 't', ' '),
  )
  .map(
    ([y, mo, d, h, mi, s, frac, off, t]) =>
      `${y}-${pad(mo, 2)}-${pad(d, 2)}${t}${pad(h, 2)}:${pad(mi, 2)}${s === null ? '' : `:${pad(s, 2)}${frac === null ? '' : `.${frac}`}`}${off}`,
  );
const validInstant = fc
  .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const WORDS_FOR_TIME = [
  '2026-02-30',
  '2026-02-29T00:00:00Z',
  '2024-02-29T00:00:00Z',
  '2026-04-31T10:00:00Z',
  '2026-11-30T24:00:00Z',
  '2026-11-30T10:00:60Z',
  '2026-11-30T10:00:00',
  '2026-11-30 10:00:00+01',
  '20261130T100000Z',
  '2026-11-30T10:00:00.1234567890Z',
  '+275760-09-13T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '1',
  'yesterday',
  'now',
  'today',
  'epoch',
  'infinity',
  '-infinity',
  'allballs',
];
const instant = fc.oneof(
  { weight: 3, arbitrary: validInstant },
  { weight: 3, arbitrary: composedInstant },
  { weight: 2, arbitrary: fc.constantFrom(...WORDS_FOR_TIME) },
);

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '%',
      '_',
      '\\',
      "'",
      '"',
      'Prévente',
      'Membre',
      'TEST0000',
      ' padded ',
      '\t',
      '\u0001',
      '\u007f',
      '\ud800',
      'x'.repeat(101),
      'c'.repeat(201),
    ),
  },
  { weight: 1, arbitrary: fc.nat({ max: 400 }).map((n) => 'é'.repeat(n)) },
);
const ZONES = [
  'Europe/Zurich',
  'UTC',
  'utc',
  'europe/zurich',
  'Etc/GMT+5',
  'EST5EDT',
  'CET',
  'GMT',
  'Asia/Calcutta',
  'America/Ciudad_Juarez',
  'US/Pacific-New',
  'Mars/Olympus',
  '+01:00',
  '-0530',
  'UTC+1',
  'Z',
  '',
  'Europe/Zurich ',
];
const zone = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ZONES) }, { weight: 1, arbitrary: text });

const cursorKey = fc.oneof(
  { weight: 2, arbitrary: validInstant },
  { weight: 3, arbitrary: composedInstant },
  { weight: 2, arbitrary: fc.constantFrom(...WORDS_FOR_TIME) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '12.00',
      '-5.5',
      '1e5',
      '99999999999.99',
      '99999999999999999999.99',
      '0.001',
      'NaN',
      'Infinity',
      '',
      '1',
      '12,00',
    ),
  },
  { weight: 1, arbitrary: fc.oneof(fc.double(), fc.integer(), fc.constant(null), text) },
);
const cursorNumber = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('TEST00000001', 'TEST00000003') },
  { weight: 2, arbitrary: fc.constantFrom('', '\u0000', 'a\u0000b', '\ud800', 'x'.repeat(201)) },
  { weight: 1, arbitrary: fc.oneof(text, fc.integer(), fc.constant(null)) },
);
const cursorId = fc.oneof(
  fc.integer({ min: -2, max: 10 }),
  fc.constantFrom(2 ** 31, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 1e300, 1.5, -0, '1'),
  fc.constant(null),
);
/** What follows a cursor's tag: an id, a key and a number (the two shapes given out), or anything. */
const cursorParts = fc.oneof(
  { weight: 2, arbitrary: fc.tuple(cursorId) },
  { weight: 4, arbitrary: fc.tuple(cursorKey, cursorNumber) },
  { weight: 1, arbitrary: fc.array(fc.oneof(cursorKey, cursorNumber, cursorId), { maxLength: 4 }) },
) as fc.Arbitrary<unknown[]>;

/**
 * A cursor value: a JSON array like the ones the routes give out, with any of its parts crafted, or not a cursor at
 * all.
 */
function cursor(kinds: string[]): fc.Arbitrary<string> {
  const tag = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...kinds) }, { weight: 1, arbitrary: text });
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(tag, cursorParts).map(([t, parts]) => b64([t, ...parts])) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>({ a: 1 }, 'text', 42, null, [], [[]]).map(b64) },
    { weight: 1, arbitrary: fc.constantFrom('!!!', '', '=', 'AAAA', 'W10', '_-_-', 'x'.repeat(501)) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/) },
  );
}

// ---- routes ----

/** What one parameter gets: mostly what a caller sends, and the boundary and garbage values. */
interface ParamSpec {
  valid: fc.Arbitrary<string>;
  hostile: fc.Arbitrary<string>;
}
const param = (valid: fc.Arbitrary<string>, hostile: fc.Arbitrary<string>): ParamSpec => ({ valid, hostile });
const words = (...values: string[]) =>
  param(
    fc.constantFrom(...values),
    fc.oneof(
      fc.constantFrom(...values).map((w) => w.toUpperCase()),
      fc.constantFrom(...values).map((w) => ` ${w}`),
      text,
    ),
  );
const between = (min: number, max: number) => param(fc.integer({ min, max }).map(String), integer);
const instantParam = param(validInstant, instant);

interface RouteSpec {
  params: Record<string, ParamSpec>;
  /** The values of the route's `{...}` placeholders. */
  route?: Record<string, fc.Arbitrary<string>>;
  /** Parameters that make sense only together, e.g. a sort and a cursor of that sort. */
  groups?: fc.Arbitrary<Array<[string, string]>>;
}

const TICKET_SORTS = ['updated', 'sold', '-sold', 'price', '-price', 'number', '-number'];
/** A sort with a cursor of its own kind (or of another), with any of the cursor's parts crafted. */
const ticketPaging = fc
  .tuple(
    fc.constantFrom(...TICKET_SORTS),
    fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...TICKET_SORTS) }),
    cursorParts,
  )
  .map(([sort, other, parts]): Array<[string, string]> => [
    ['sort', sort],
    ['cursor', b64([other ?? sort, ...parts])],
  ]);
/** A stats range near the data, with a bucket it allows: both ends valid instants in one of several spellings. */
const statsRange = fc
  .tuple(
    fc.integer({ min: -3 * 86_400, max: 86_400 }),
    fc.integer({ min: 1, max: 5 * 86_400 }),
    fc.constantFrom('Z', '+01:00', '-05:30', '.5Z', '.123456789+14:00'),
    fc.constantFrom('minute', 'hour', 'day'),
  )
  .map(([startS, lengthS, spelling, bucket]): Array<[string, string]> => {
    const wall = (ms: number) => new Date(ms).toISOString().slice(0, 19);
    const from = Math.floor(Date.now() / 1000) * 1000 + startS * 1000;
    const length = bucket === 'minute' ? Math.min(lengthS, 900 * 60) * 1000 : lengthS * 1000;
    return [
      ['from', `${wall(from)}${spelling}`],
      ['to', `${wall(from + length)}${spelling}`],
      ['bucket', bucket],
    ];
  });

const ROUTES: Record<string, RouteSpec> = {
  'api/tickets': {
    params: {
      limit: between(1, 500),
      before: between(1, 10),
      cursor: param(
        fc.integer({ min: 1, max: 10 }).map((id) => b64(['updated', id])),
        cursor(TICKET_SORTS),
      ),
      sort: words(...TICKET_SORTS),
      event: param(fc.constantFrom('1000', '1001', '1002', '0', '2147483647'), integer),
      category: param(fc.constantFrom('Prévente', 'Membre'), text),
      status: words('valid', 'cancelled'),
      q: param(fc.constantFrom('TEST', '0003', 'night', '%', '_'), text),
      from: instantParam,
      to: instantParam,
      format: words('json', 'csv'),
    },
    groups: ticketPaging,
  },
  'api/tickets/{number}': {
    params: {},
    route: {
      number: fc.oneof(
        fc.constantFrom('TEST00000001', 'NOPE', 'x'.repeat(200), 'x'.repeat(201), '%', "'", 'é'),
        fc.stringMatching(/^[A-Za-z0-9 _'-]{1,40}$/),
      ),
    },
  },
  'api/stats': {
    params: {
      from: instantParam,
      to: instantParam,
      bucket: words('minute', 'hour', 'day'),
      zone: param(fc.constantFrom('Europe/Zurich', 'UTC'), zone),
    },
    groups: statsRange,
  },
  'api/deliveries': {
    params: {
      outcome: words('stored', 'duplicate', 'signature_mismatch'),
      status: between(100, 599),
      from: instantParam,
      to: instantParam,
      limit: between(1, 500),
      cursor: param(
        fc.integer({ min: 1, max: 10 }).map((id) => b64(['deliveries', id])),
        cursor(['deliveries']),
      ),
    },
  },
  'api/dead-letters': {
    params: {
      state: words('waiting', 'redriven', 'all'),
      limit: between(1, 500),
      cursor: param(
        fc.integer({ min: 1, max: 10 }).map((id) => b64(['dead-letters', id])),
        cursor(['dead-letters']),
      ),
    },
  },
  'api/webhooks/{id}': { params: {}, route: { id: integer } },
  'api/health': { params: {} },
  healthz: { params: {} },
  metrics: { params: {} },
};

/** Percent-encodes every byte but the unreserved ones; '+' for a space now and then. */
function encode(value: string, plus: boolean): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9._~-]/.test(c)) out += c;
    else if (plus && c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Raw pieces a client may send that no encoder produces. */
const RAW = ['%', '%Z', '%ZZ', '%FF', '%C0%80', '%ED%A0%80', '%E2%9C', '+', '&', '=', '==', ';'];

interface Case {
  route: string;
  path: string;
  pairs: Array<[string, string]>;
  search: string;
}

/** `arbitrary` once in `n` cases, else null. */
const oneIn = <T>(n: number, arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });

function caseFor(route: string, spec: RouteSpec): fc.Arbitrary<Case> {
  const known = Object.keys(spec.params);
  const stranger = fc.oneof(
    fc.constantFrom('code', 'Limit', 'limit ', 'x', '', 'cursor[]', '__proto__', 'constructor', 'hasOwnProperty'),
    fc.string({ maxLength: 8 }),
  );
  const validPairs = fc
    .uniqueArray(fc.constantFrom(...known, 'code'), { maxLength: 3 })
    .chain((names) =>
      fc.tuple(...names.map((n) => fc.tuple(fc.constant(n), n === 'code' ? fc.constant('k') : spec.params[n].valid))),
    );
  const hostilePair =
    known.length === 0
      ? fc.tuple(stranger, text)
      : fc.constantFrom(...known).chain((n) => fc.tuple(fc.constant(n), spec.params[n].hostile));
  // A few valid parameters, each once, and at most one hostile one (a repeat, a boundary, garbage),
  // so that the hostile value is what decides the answer, and the valid ones reach the database.
  const pairs = fc
    .tuple(
      validPairs,
      spec.groups ? fc.option(spec.groups, { freq: 3 }) : fc.constant(null),
      fc.option(hostilePair, { freq: 2 }),
      oneIn(12, fc.tuple(stranger, text)),
    )
    .map(([valid, group, hostile, odd]) => {
      const grouped = new Set((group ?? []).map(([n]) => n));
      return [
        ...valid.filter(([n]) => !grouped.has(n)),
        ...(group ?? []),
        ...(hostile ? [hostile] : []),
        ...(odd ? [odd] : []),
      ];
    });
  const placeholders = Object.entries(spec.route ?? {});
  const pathOf =
    placeholders.length === 0
      ? fc.constant(`/${route}`)
      : fc
          .tuple(...placeholders.map(([, arb]) => arb))
          .map((values) =>
            placeholders.reduce((p, [key], i) => p.replace(`{${key}}`, encode(values[i], false)), `/${route}`),
          );
  const rawBits = oneIn(10, fc.tuple(fc.nat(), fc.constantFrom(...RAW)));
  return fc.tuple(pathOf, pairs, fc.boolean(), rawBits).map(([p, ps, plus, raw]) => {
    const parts = ps.map(([k, v]) => (v === '' && plus ? encode(k, plus) : `${encode(k, plus)}=${encode(v, plus)}`));
    if (raw) parts.splice(raw[0] % (parts.length + 1), 0, raw[1]);
    return { route, path: p, pairs: ps, search: parts.length === 0 ? '' : `?${parts.join('&')}` };
  });
}

/** The read routes: every route answering GET, but POST /webhook (which routes GET only to answer it 405). */
const getRoutes = (): string[] =>
  declaredFunctions()
    .filter(
      (f): f is HttpFunction =>
        f.kind === 'http' &&
        (f.methods as readonly string[]).includes('GET') &&
        !(f.methods as readonly string[]).includes('POST'),
    )
    .map((f) => f.route);

const OK_TYPES: Record<string, RegExp> = { metrics: /^text\/plain/ };

describe(`every GET route of the functions host under generated query strings (seed ${SEED}, ${RUNS} runs)`, () => {
  it('has a generator for every GET route the host declares', () => {
    expect(getRoutes().sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it('answers 200, or 4xx JSON naming a parameter of the request; never 5xx', async () => {
    const counts: Record<string, Record<string, number>> = {};
    const started = Date.now();
    const anyCase = fc.oneof(
      ...Object.entries(ROUTES).map(([route, spec]) => ({
        weight: Object.keys(spec.params).length + 1,
        arbitrary: caseFor(route, spec),
      })),
    );
    await fc.assert(
      fc.asyncProperty(anyCase, async (c) => {
        const response = await fetch(`${stack.url}${c.path}${c.search}`);
        const type = response.headers.get('content-type') ?? '';
        const body = await response.text();
        const tally = (counts[c.route] ??= {});
        tally[response.status] = (tally[response.status] ?? 0) + 1;
        const seen = `${response.status} ${type} ${body.slice(0, 300)}`;
        if (response.status === 200) {
          const csv = /(^|&)format=csv(&|$)/i.test(c.search.slice(1));
          const expected = OK_TYPES[c.route] ?? (csv ? /^(text\/csv|application\/json)/ : /^application\/json/);
          if (!expected.test(type)) throw new Error(`200 of an unexpected type: ${seen}`);
          return;
        }
        if (response.status < 400 || response.status >= 500) throw new Error(`not 200 nor 4xx: ${seen}`);
        if (!/^application\/json/.test(type)) throw new Error(`4xx not JSON: ${seen}`);
        const json = JSON.parse(body) as { error?: unknown; param?: unknown };
        if (typeof json.error !== 'string') throw new Error(`4xx without an error text: ${seen}`);
        // An unknown ticket or webhook is a 404 of its own; every other refusal names what it refused.
        if (response.status === 404 && c.route.includes('{')) return;
        // NUL anywhere in the query is refused by the host before routing, as a framing error.
        if (response.status === 400 && c.pairs.some(([k, v]) => `${k}${v}`.includes('\u0000'))) return;
        // The parameter refused: one the request sent, or one of the route's (`to` is required with `from`).
        const names = new Set([
          ...new URLSearchParams(c.search).keys(),
          ...Object.keys(ROUTES[c.route].params),
          ...Object.keys(ROUTES[c.route].route ?? {}),
        ]);
        if (response.status !== 400 || typeof json.param !== 'string' || !names.has(json.param))
          throw new Error(`4xx not naming a parameter of the request: ${seen}`);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: false },
    );
    const seconds = (Date.now() - started) / 1000;
    const dir = path.join(__dirname, '..', '..', 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'read-queries.json'),
      `${JSON.stringify({ seed: SEED, runs: RUNS, seconds, byRouteAndStatus: counts }, null, 2)}\n`,
    );
    // Each route was reached, and the valid side of the generators got past validation somewhere.
    for (const route of Object.keys(ROUTES))
      expect(Object.values(counts[route] ?? {}).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    for (const route of ['api/tickets', 'api/stats', 'api/deliveries', 'api/dead-letters'])
      expect(counts[route]?.['200'] ?? 0).toBeGreaterThan(0);
  }, 120_000);
});

describe('the query values that once reached Postgres unchecked', () => {
  async function get(pathAndQuery: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${stack.url}${pathAndQuery}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it.each([
    // Date.parse rolled these over (30 February read as 2 March); Postgres refuses them.
    ['/api/tickets?from=2026-02-30T00:00:00Z', 'from'],
    ['/api/tickets?to=2026-11-30T24:00:00Z', 'to'],
    ['/api/deliveries?from=2026-04-31T00:00:00Z', 'from'],
    ['/api/stats?from=2026-02-29T00:00:00Z&to=2026-03-01T00:00:00Z', 'from'],
    ['/api/tickets?from=0000-01-01T00:00:00Z', 'from'],
    // Crafted cursors: Date.parse let them through, ::timestamptz and text refused them (a 500).
    [`/api/tickets?sort=sold&cursor=${b64(['sold', '1', 'TEST00000001'])}`, 'cursor'],
    [`/api/tickets?sort=-sold&cursor=${b64(['-sold', '2026-02-30T00:00:00Z', 'TEST00000001'])}`, 'cursor'],
    [`/api/tickets?sort=number&cursor=${b64(['number', 'TEST00000001', 'a\u0000b'])}`, 'cursor'],
    // A parameter given twice: the host's request.query kept the first and dropped the second.
    ['/api/tickets?limit=5&limit=abc', 'limit'],
    ['/api/deliveries?status=200&status=401', 'status'],
    ['/api/dead-letters?state=all&state=waiting', 'state'],
    ['/api/stats?from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z&zone=UTC&zone=Mars/Olympus', 'zone'],
  ])('%s is a 400 naming %s', async (target, param) => {
    const { status, body } = await get(target);
    expect({ status, body }).toEqual({ status: 400, body: { error: expect.any(String), param } });
  });

  it.each([
    // The ends of the four-digit years, pushed past them by the offset: 1 BC and the year 10000 in UTC.
    '/api/stats?from=0001-01-01T00:00:00%2B15:59&to=0001-01-02T00:00:00Z&bucket=day',
    '/api/stats?from=9999-12-31T00:00:00Z&to=9999-12-31T23:59:59.999-15:59&bucket=hour&zone=Pacific/Kiritimati',
    '/api/tickets?from=0001-01-01T00:00:00%2B15:59&to=9999-12-31T23:59:59.999999999-15:59&sort=sold',
    '/api/deliveries?from=0001-01-01T00:00:00%2B15:59&to=9999-12-31T23:59:59.999-15:59',
  ])('reads the extreme instants %s as Postgres does: 200', async (target) => {
    expect((await get(target)).status).toBe(200);
  });

  it('reads a zone name ICU knows in its canonical spelling, so Postgres knows it too', async () => {
    const { status, body } = await get(
      '/api/stats?from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z&zone=US/Pacific-New',
    );
    expect(status).toBe(200);
    expect(body.sales).toMatchObject({ zone: 'America/Los_Angeles', series: expect.any(Array) });
  });

  it("turns Postgres's refusal of a zone name it lacks into the caller's error, naming zone", async () => {
    const range = {
      from: new Date('2026-11-30T00:00:00Z'),
      to: new Date('2026-12-01T00:00:00Z'),
      bucket: 'hour' as const,
      zone: 'Mars/Olympus',
    };
    const deps = { pool: stack.host.deps.pool, requests: stack.host.deps.metrics.requests, now: Date.now };
    const refused = await statsReport(deps, range).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(QueryParamError);
    expect(refused).toMatchObject({ param: 'zone' });
  });
});
