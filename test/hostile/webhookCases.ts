import fc from 'fast-check';
import { computeSignature, signPayload } from '../../functions/src';
import { TEST_SECRET } from '../support/env';
import { ticketBody } from '../support/webhooks';

/**
 * The hostile requests of the /webhook fuzz test, as data: a body, how it is signed, and how the
 * headers are mangled. Most are signed with the right secret over their exact bytes, so they get
 * past the signature check and exercise parsing, the schema and storage.
 */
export type Signing =
  | { mode: 'valid' }
  | { mode: 'absent' }
  | { mode: 'garbage'; header: string }
  | { mode: 'otherSecret'; secret: string }
  | { mode: 'otherBody' }
  | { mode: 'skewed'; seconds: number }
  | { mode: 'flippedHex'; at: number }
  | { mode: 'truncatedHex'; keep: number }
  | { mode: 'retimed'; by: number };

export interface FuzzCase {
  /** Which body generator made it, for the tally. */
  kind: string;
  method: string;
  body: Buffer;
  signing: Signing;
  contentType: string | null;
  /** No Content-Length: the body goes chunked. */
  chunked: boolean;
  /** When the outcome is known in advance (a well-formed ticket → 200, a bad signature → 401 …). */
  expect?: number;
}

export const MAX_BODY_BYTES = 1024 * 1024;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The `Petzi-Signature` header to send, made at send time so valid ones are inside the window. */
export function signatureHeader(c: FuzzCase): string | undefined {
  const t = nowSeconds();
  const s = c.signing;
  switch (s.mode) {
    case 'valid':
      return signPayload(TEST_SECRET, c.body, t);
    case 'absent':
      return undefined;
    case 'garbage':
      return s.header;
    case 'otherSecret':
      return signPayload(s.secret, c.body, t);
    case 'otherBody':
      return signPayload(TEST_SECRET, Buffer.concat([c.body, Buffer.from(' ')]), t);
    case 'skewed':
      return signPayload(TEST_SECRET, c.body, t + s.seconds);
    case 'flippedHex': {
      const hex = computeSignature(TEST_SECRET, t, c.body).toString('hex');
      const i = s.at % hex.length;
      const flipped = hex[i] === '0' ? '1' : '0';
      return `t=${t},v1=${hex.slice(0, i)}${flipped}${hex.slice(i + 1)}`;
    }
    case 'truncatedHex':
      return `t=${t},v1=${computeSignature(TEST_SECRET, t, c.body)
        .toString('hex')
        .slice(0, s.keep % 64)}`;
    case 'retimed':
      return `t=${t + s.by},v1=${computeSignature(TEST_SECRET, t, c.body).toString('hex')}`;
  }
}

/** The status a case must get when its outcome does not depend on the body's content. */
function expectedStatus(
  method: string,
  body: Buffer,
  signing: Signing,
  fromBody: number | undefined,
): number | undefined {
  if (method !== 'POST') return 405;
  if (body.length > MAX_BODY_BYTES) return 413;
  if (signing.mode !== 'valid') return 401;
  return fromBody;
}

interface Body {
  kind: string;
  body: Buffer;
  expect?: number;
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const ticketNumber = fc.integer({ min: 0, max: 99_999_999 });
const baseTicket = ticketNumber.map((n) => utf8(ticketBody(n)));

/** Paths of a ticket body a generator may overwrite. */
const TICKET_PATHS = [
  ['event'],
  ['details'],
  ['details', 'ticket'],
  ['details', 'ticket', 'number'],
  ['details', 'ticket', 'eventId'],
  ['details', 'ticket', 'price'],
  ['details', 'ticket', 'price', 'amount'],
  ['details', 'ticket', 'price', 'currency'],
  ['details', 'ticket', 'sessions'],
  ['details', 'ticket', 'sessions', '0', 'date'],
  ['details', 'ticket', 'sessions', '0', 'location'],
  ['details', 'ticket', 'title'],
  ['details', 'buyer'],
  ['details', 'buyer', 'firstName'],
  ['details', 'buyer', 'postcode'],
  ['extra'],
] as const;

function setPath(target: unknown, path: readonly string[], value: unknown): void {
  let node = target as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) return;
    node = next as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

const withField = (n: number, path: readonly string[], value: unknown): Buffer => {
  const parsed = JSON.parse(ticketBody(n)) as unknown;
  setPath(parsed, path, value);
  return utf8(JSON.stringify(parsed));
};

const validTicket: fc.Arbitrary<Body> = ticketNumber.map((n) => ({
  kind: 'valid ticket',
  body: utf8(ticketBody(n)),
  expect: 200,
}));

const fieldOverride: fc.Arbitrary<Body> = fc
  .tuple(ticketNumber, fc.constantFrom(...TICKET_PATHS), fc.jsonValue({ maxDepth: 3 }))
  .map(([n, path, value]) => ({ kind: 'field set to random JSON', body: withField(n, path, value) }));

const byteFlips: fc.Arbitrary<Body> = fc
  .tuple(baseTicket, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }))
  .map(([body, flips]) => {
    const copy = Buffer.from(body);
    for (const [at, mask] of flips) copy[at % copy.length] ^= mask;
    return { kind: 'byte flips', body: copy };
  });

const truncated: fc.Arbitrary<Body> = fc
  .tuple(baseTicket, fc.nat())
  .map(([body, at]) => ({ kind: 'truncated', body: body.subarray(0, at % body.length) }));

const randomJson: fc.Arbitrary<Body> = fc
  .jsonValue({ maxDepth: 4 })
  .map((value) => ({ kind: 'random JSON', body: utf8(JSON.stringify(value) ?? 'null') }));

const randomEvent: fc.Arbitrary<Body> = fc
  .record({
    event: fc.oneof(
      fc.constantFrom('ticket_created', 'ticket_updated', 'ticket_scanned', 'a.b-c_1'),
      fc.string({ maxLength: 70 }),
    ),
    details: fc.jsonValue({ maxDepth: 4 }),
  })
  .map((value) => ({ kind: 'random event object', body: utf8(JSON.stringify(value)) }));

/** Up to 60,000 levels: past V8's recursion limits, still well inside MAX_BODY_BYTES. */
const deepNesting: fc.Arbitrary<Body> = fc
  .tuple(
    fc.integer({ min: 1, max: 60_000 }),
    fc.constantFrom('array', 'object', 'in-ticket', 'unterminated'),
    fc.constantFrom('ticket_created', 'deep_event'),
  )
  .map(([depth, shape, event]) => {
    let inner: string;
    if (shape === 'object') inner = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    else if (shape === 'unterminated') inner = '['.repeat(depth);
    else inner = '['.repeat(depth) + ']'.repeat(depth);
    const text =
      shape === 'in-ticket'
        ? ticketBody(depth).replace('"promoter":', `"nested":${inner},"promoter":`)
        : `{"event":"${event}","details":${inner}}`;
    return { kind: `deep nesting (${shape})`, body: utf8(text) };
  });

const hugeNumbers: fc.Arbitrary<Body> = fc
  .tuple(
    ticketNumber,
    fc.constantFrom('"eventId":', '"postcode":', '"extra":'),
    fc.oneof(
      fc.constantFrom(
        '1e400',
        '-1e400',
        '1e-400',
        '123456789012345678901234567890',
        '9007199254740993',
        '-0',
        '0.0000000000000000000001',
        '1E+308',
      ),
      fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n }).map(String),
      fc.stringMatching(/^-?[1-9][0-9]{0,400}(\.[0-9]{1,50})?([eE][+-]?[0-9]{1,5})?$/),
    ),
  )
  .map(([n, key, number]) => {
    const text =
      key === '"extra":'
        ? ticketBody(n).replace('"event":', `"extra":${number},"event":`)
        : ticketBody(n).replace(new RegExp(`${key}("[^"]*"|-?\\d+)`), `${key}${number}`);
    return { kind: 'huge numbers', body: utf8(text) };
  });

/** Strings with any code point, lone surrogates included (JSON.stringify escapes them as \udxxx). */
const unicode: fc.Arbitrary<Body> = fc
  .tuple(
    ticketNumber,
    fc.constantFrom(...TICKET_PATHS.filter((p) => p.length > 2)),
    fc.string({ unit: 'binary', maxLength: 40 }),
  )
  .map(([n, path, text]) => ({ kind: 'unicode strings', body: withField(n, path, text) }));

/** Bytes that are not UTF-8 at all, inside a string. */
const invalidUtf8: fc.Arbitrary<Body> = fc
  .tuple(
    ticketNumber,
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((a) => Buffer.from(a.map((b) => 0x80 | b))),
  )
  .map(([n, bytes]) => {
    const [before, after] = ticketBody(n).split('Jane');
    return { kind: 'invalid UTF-8 in a string', body: Buffer.concat([utf8(before), bytes, utf8(after)]) };
  });

const nul: fc.Arbitrary<Body> = fc.tuple(ticketNumber, fc.constantFrom('escaped', 'raw', 'in key')).map(([n, how]) => {
  const text = ticketBody(n);
  if (how === 'raw') return { kind: 'NUL byte', body: utf8(text.replace('Jane', 'Ja\u0000ne')), expect: 400 };
  if (how === 'in key') return { kind: 'NUL byte', body: utf8(text.replace('"buyer":', '"bu\\u0000yer":')) };
  return { kind: 'NUL byte', body: utf8(text.replace('Jane', 'Ja\\u0000ne')) };
});

const duplicateKeys: fc.Arbitrary<Body> = fc
  .tuple(ticketNumber, fc.constantFrom('event', 'number', 'details', 'price'), fc.jsonValue({ maxDepth: 2 }))
  .map(([n, key, value]) => {
    const text = ticketBody(n).replace(`"${key}":`, `"${key}":${JSON.stringify(value)},"${key}":`);
    return { kind: 'duplicated keys', body: utf8(text) };
  });

const garbage: fc.Arbitrary<Body> = fc
  .uint8Array({ maxLength: 2048 })
  .map((a) => ({ kind: 'random bytes', body: Buffer.from(a) }));

const empty: fc.Arbitrary<Body> = fc.constant({ kind: 'empty', body: Buffer.alloc(0), expect: 400 });

const oversized: fc.Arbitrary<Body> = fc
  .integer({ min: 1, max: 4096 })
  .map((extra) => ({ kind: 'over MAX_BODY_BYTES', body: Buffer.alloc(MAX_BODY_BYTES + extra, 0x20) }));

const bodies: fc.Arbitrary<Body> = fc.oneof(
  { weight: 12, arbitrary: validTicket },
  { weight: 14, arbitrary: fieldOverride },
  { weight: 10, arbitrary: byteFlips },
  { weight: 5, arbitrary: truncated },
  { weight: 8, arbitrary: randomJson },
  { weight: 10, arbitrary: randomEvent },
  { weight: 4, arbitrary: deepNesting },
  { weight: 6, arbitrary: hugeNumbers },
  { weight: 7, arbitrary: unicode },
  { weight: 3, arbitrary: invalidUtf8 },
  { weight: 4, arbitrary: nul },
  { weight: 5, arbitrary: duplicateKeys },
  { weight: 5, arbitrary: garbage },
  { weight: 1, arbitrary: empty },
);

/** Header values node's client will send (it refuses control characters). */
const headerText = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
    .map((c) => String.fromCharCode(c)),
  maxLength: 200,
});

const badSignings: fc.Arbitrary<Signing> = fc.oneof(
  fc.constant<Signing>({ mode: 'absent' }),
  headerText.map((header): Signing => ({ mode: 'garbage', header })),
  fc
    .string({ minLength: 1, maxLength: 30 })
    .filter((s) => s !== TEST_SECRET)
    .map((secret): Signing => ({ mode: 'otherSecret', secret })),
  fc.constant<Signing>({ mode: 'otherBody' }),
  fc
    .oneof(fc.integer({ min: 301, max: 1e7 }), fc.integer({ min: -1e7, max: -301 }))
    .map((seconds): Signing => ({ mode: 'skewed', seconds })),
  fc.nat().map((at): Signing => ({ mode: 'flippedHex', at })),
  fc.nat().map((keep): Signing => ({ mode: 'truncatedHex', keep })),
  fc
    .integer({ min: -300, max: 300 })
    .filter((by) => by !== 0)
    .map((by): Signing => ({ mode: 'retimed', by })),
);

const contentTypes = fc.oneof(
  { weight: 8, arbitrary: fc.constant<string | null>('application/json') },
  { weight: 1, arbitrary: fc.constant<string | null>(null) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<string | null>(
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      'multipart/form-data; boundary=x',
    ),
  },
  { weight: 1, arbitrary: headerText.map((t): string | null => t) },
);

export const fuzzCases: fc.Arbitrary<FuzzCase> = fc
  .record({
    body: fc.oneof({ weight: 199, arbitrary: bodies }, { weight: 1, arbitrary: oversized }),
    signing: fc.oneof(
      { weight: 82, arbitrary: fc.constant<Signing>({ mode: 'valid' }) },
      { weight: 18, arbitrary: badSignings },
    ),
    method: fc.oneof(
      { weight: 98, arbitrary: fc.constant('POST') },
      { weight: 2, arbitrary: fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') },
    ),
    contentType: contentTypes,
    chunked: fc.boolean(),
  })
  .map(({ body, signing, method, contentType, chunked }) => ({
    kind: body.kind,
    method,
    body: body.body,
    signing,
    contentType,
    chunked,
    expect: expectedStatus(method, body.body, signing, body.expect),
  }));
