import {
  SignatureError,
  computeSignature,
  parseSignatureHeader,
  signPayload,
  verifySignature,
} from '../src/protocol/signature';

const body = Buffer.from('{"event":"ticket_created","details":{}}');
const secret = 'secret';
const t = 1_764_000_000;
const at = (seconds: number) => () => seconds * 1000;

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof SignatureError) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('verifySignature', () => {
  const verify = (header: string | null, options: Partial<Parameters<typeof verifySignature>[0]> = {}) =>
    verifySignature({ header, body, secrets: [secret], toleranceSeconds: 300, now: at(t), ...options });

  it('accepts a signature made by signPayload over the same bytes', () => {
    expect(verify(signPayload(secret, body, t))).toEqual({ timestamp: t });
  });

  it('matches the documented HMAC-SHA256 of "<t>.<body>"', () => {
    const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const expected = createHmac('sha256', secret).update(`${t}.${body.toString()}`).digest('hex');
    expect(signPayload(secret, body, t)).toBe(`t=${t},v1=${expected}`);
    expect(computeSignature(secret, t, body).toString('hex')).toBe(expected);
  });

  it('rejects a wrong secret', () => {
    expect(reason(() => verify(signPayload('other', body, t)))).toBe('mismatch');
  });

  it('rejects a tampered body', () => {
    const header = signPayload(secret, body, t);
    expect(
      reason(() =>
        verifySignature({
          header,
          body: Buffer.from(body.toString().replace('created', 'updated')),
          secrets: [secret],
          toleranceSeconds: 300,
          now: at(t),
        }),
      ),
    ).toBe('mismatch');
  });

  it('rejects a re-timestamped signature (t is covered by the HMAC)', () => {
    const v1 = computeSignature(secret, t, body).toString('hex');
    expect(reason(() => verify(`t=${t + 1},v1=${v1}`))).toBe('mismatch');
  });

  it('rejects stale and future timestamps outside the window, accepts the edges', () => {
    expect(reason(() => verify(signPayload(secret, body, t - 301)))).toBe('too_old');
    expect(reason(() => verify(signPayload(secret, body, t + 301)))).toBe('in_future');
    expect(verify(signPayload(secret, body, t - 300)).timestamp).toBe(t - 300);
    expect(verify(signPayload(secret, body, t + 300)).timestamp).toBe(t + 300);
  });

  it('accepts any of several secrets during a rotation', () => {
    const secrets = ['new-secret', secret];
    expect(verify(signPayload(secret, body, t), { secrets }).timestamp).toBe(t);
    expect(verify(signPayload('new-secret', body, t), { secrets }).timestamp).toBe(t);
    expect(reason(() => verify(signPayload('retired', body, t), { secrets }))).toBe('mismatch');
  });

  it('accepts a header carrying several v1 signatures when one matches', () => {
    const good = computeSignature(secret, t, body).toString('hex');
    expect(verify(`t=${t},v1=${'0'.repeat(64)},v1=${good}`).timestamp).toBe(t);
  });

  it.each([
    ['missing (null)', null, 'missing'],
    ['missing (empty)', '', 'missing'],
    ['missing (blank)', '   ', 'missing'],
    ['no timestamp', `v1=${'a'.repeat(64)}`, 'malformed'],
    ['no signature', `t=${t}`, 'malformed'],
    ['only another scheme', `t=${t},v0=${'a'.repeat(64)}`, 'malformed'],
    ['non-numeric timestamp', `t=abc,v1=${'a'.repeat(64)}`, 'malformed'],
    ['negative timestamp', `t=-5,v1=${'a'.repeat(64)}`, 'malformed'],
    ['short hex', `t=${t},v1=abc`, 'malformed'],
    ['non-hex', `t=${t},v1=${'z'.repeat(64)}`, 'malformed'],
    ['no equals sign', `t${t},v1${'a'.repeat(64)}`, 'malformed'],
    ['two timestamps', `t=${t},t=${t},v1=${'a'.repeat(64)}`, 'malformed'],
    ['empty part', `t=${t},,v1=${'a'.repeat(64)}`, 'malformed'],
  ])('rejects a %s header as %s', (_name, header, expected) => {
    expect(reason(() => verify(header))).toBe(expected);
  });

  it('parses with spaces around parts', () => {
    const v1 = computeSignature(secret, t, body).toString('hex');
    expect(parseSignatureHeader(` t=${t} , v1=${v1} `).timestamp).toBe(t);
  });
});
