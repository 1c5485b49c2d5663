import fc from 'fast-check';
import {
  SignatureError,
  computeSignature,
  parseSignatureHeader,
  signPayload,
  verifySignature,
} from '../../functions/src';
import { fuzzSeed } from './seed';

/**
 * Property tests of the header parser and verifier: whatever arrives in `Petzi-Signature`,
 * the only thing that may escape is a SignatureError, and nothing is accepted unless it was
 * produced with the secret over exactly those bytes and that timestamp.
 */
const SEED = fuzzSeed();
const SECRET = 'fuzz-secret';
const NOW_S = 1_764_000_000;
const TOLERANCE = 300;
const RUNS = 3000;

beforeAll(() => console.log(`signature fuzz seed ${SEED} (set FUZZ_SEED to replay)`));

function outcome(run: () => unknown): 'accepted' | SignatureError {
  try {
    run();
    return 'accepted';
  } catch (error) {
    // Anything else (TypeError, RangeError from Buffer/timingSafeEqual…) fails the property.
    if (error instanceof SignatureError) return error;
    throw error;
  }
}

const verify = (header: string | null | undefined, body: Buffer, secrets: string[] = [SECRET]) =>
  outcome(() => verifySignature({ header, body, secrets, toleranceSeconds: TOLERANCE, now: () => NOW_S * 1000 }));

const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a)),
  fc.string({ unit: 'binary', maxLength: 128 }).map((s) => Buffer.from(s, 'utf8')),
);
const inWindow = fc.integer({ min: NOW_S - TOLERANCE, max: NOW_S + TOLERANCE });
/** Characters a header parser has to think about: separators, spaces, digits, hex, control and wide characters. */
const headerChars = fc.oneof(
  fc.constantFrom(
    ',',
    '=',
    ' ',
    '\t',
    't',
    'v',
    '1',
    '0',
    'a',
    'f',
    'F',
    'x',
    '-',
    '+',
    '.',
    'e',
    '\u0000',
    '\n',
    'é',
    '\u{1F600}',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const headerish = fc.array(headerChars, { maxLength: 200 }).map((parts) => parts.join(''));

/** Edits that a sloppy or hostile sender could make to a valid header. */
type Mutation = (header: string) => string;
const mutations: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom('0', 'f', 'g', ' ', ',', '=', 'Z')).map(([at, ch]): Mutation => (h) => {
    const i = at % h.length;
    return h.slice(0, i) + ch + h.slice(i + 1);
  }),
  fc.nat().map(
    (at): Mutation =>
      (h) =>
        h.slice(0, at % h.length),
  ),
  fc.nat().map(
    (at): Mutation =>
      (h) =>
        h.slice(0, at % h.length) + h.slice((at % h.length) + 1),
  ),
  fc.constantFrom<Mutation>(
    (h) => h.toUpperCase(),
    (h) => h.replace('t=', 'T='),
    (h) => h.replace('v1=', 'v0='),
    (h) => h.replace(/t=(\d+)/, (_m, t: string) => `t=${Number(t) + 1}`),
    (h) => h.replace(/t=(\d+)/, (_m, t: string) => `t=${t}0`),
    (h) => h.replace(/t=(\d+)/, 't=-1'),
    (h) => h.replace(/t=(\d+)/, 't=1e9'),
    (h) => h.replace(/t=(\d+)/, 't=0x10'),
    (h) => `${h},${h}`,
    (h) => `${h},t=${NOW_S}`,
    (h) => h.replace(/v1=([0-9a-f]+)/, (_m, v: string) => `v1=${v.slice(0, 63)}`),
    (h) => h.replace(/v1=([0-9a-f]+)/, (_m, v: string) => `v1=${v}00`),
    (h) => h.replace(/v1=([0-9a-f]+)/, (_m, v: string) => `v1=${[...v].reverse().join('')}`),
    (h) => h.split(',').reverse().join(','),
    (h) => h.replace(',', ';'),
    (h) => ` ${h} `,
    (h) => h.replace('v1=', 'v1=='),
    (h) => `${h},`,
    (h) => `,${h}`,
  ),
);

describe('parseSignatureHeader under arbitrary input', () => {
  it('throws nothing but SignatureError, and anything it parses has a sane shape', () => {
    fc.assert(
      fc.property(
        fc.oneof(headerish, fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom(null, undefined, '')),
        (header) => {
          let parsed: ReturnType<typeof parseSignatureHeader> | undefined;
          try {
            parsed = parseSignatureHeader(header);
          } catch (error) {
            if (!(error instanceof SignatureError)) throw error;
            expect(['missing', 'malformed']).toContain(error.reason);
            return;
          }
          expect(Number.isSafeInteger(parsed.timestamp) && parsed.timestamp >= 0).toBe(true);
          expect(parsed.signatures.length).toBeGreaterThan(0);
          for (const s of parsed.signatures) expect(s.length).toBe(32);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('verifySignature under arbitrary and near-valid headers', () => {
  it('rejects arbitrary strings (with SignatureError only)', () => {
    fc.assert(
      fc.property(fc.oneof(headerish, fc.string({ unit: 'binary', maxLength: 300 })), bodies, (header, body) => {
        // An arbitrary string can only be accepted by finding an HMAC collision.
        expect(verify(header, body)).toBeInstanceOf(SignatureError);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('accepts a mutated header only if it still carries the HMAC of the secret over these bytes and its own t', () => {
    fc.assert(
      fc.property(bodies, inWindow, mutations, (body, t, mutate) => {
        const valid = signPayload(SECRET, body, t);
        const header = mutate(valid);
        const result = verify(header, body);
        if (result !== 'accepted') return;
        // Some edits are harmless (surrounding spaces, a repeated v1, a trailing part the parser
        // skips); acceptance is only correct when the parsed t and one v1 are the genuine pair.
        const parsed = parseSignatureHeader(header);
        const expected = computeSignature(SECRET, parsed.timestamp, body);
        expect(parsed.signatures.some((s) => s.equals(expected))).toBe(true);
        expect(Math.abs(parsed.timestamp - NOW_S)).toBeLessThanOrEqual(TOLERANCE);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('never accepts a valid header over other bytes, or one made with another secret', () => {
    fc.assert(
      fc.property(
        bodies,
        bodies,
        inWindow,
        fc.string({ minLength: 1, maxLength: 40 }),
        (body, other, t, otherSecret) => {
          fc.pre(!body.equals(other) && otherSecret !== SECRET);
          expect(verify(signPayload(SECRET, body, t), other)).toMatchObject({ reason: 'mismatch' });
          expect(verify(signPayload(otherSecret, body, t), body)).toMatchObject({ reason: 'mismatch' });
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('accepts every genuine header in the window and refuses it outside, as too_old or in_future', () => {
    fc.assert(
      fc.property(bodies, fc.integer({ min: 0, max: 2 * NOW_S }), (body, t) => {
        const result = verify(signPayload(SECRET, body, t), body);
        if (t < NOW_S - TOLERANCE) expect(result).toMatchObject({ reason: 'too_old' });
        else if (t > NOW_S + TOLERANCE) expect(result).toMatchObject({ reason: 'in_future' });
        else expect(result).toBe('accepted');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
