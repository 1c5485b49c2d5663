import fc from 'fast-check';
import {
  instantParam,
  intParam,
  onlyParams,
  parseInstant,
  QueryParamError,
  queryParams,
  ticketNumberParam,
} from '../src/http/query';

/** The QueryParamError `work` throws, as { param, message }, or 'accepted'. */
function refusal(work: () => unknown): { param: string; message: string } | 'accepted' {
  try {
    work();
  } catch (error) {
    if (error instanceof QueryParamError) return { param: error.param, message: error.message };
    throw error;
  }
  return 'accepted';
}

const q = (search: string) => new URLSearchParams(search);

describe('parseInstant', () => {
  it.each([
    ['2026-11-30T20:00:00Z', '2026-11-30T20:00:00.000Z'],
    ['2026-11-30T20:00Z', '2026-11-30T20:00:00.000Z'],
    ['2026-11-30T20:00:00+01:00', '2026-11-30T19:00:00.000Z'],
    ['2026-11-30T20:00:00-05:30', '2026-12-01T01:30:00.000Z'],
    ['2026-11-30T20:00:00.5Z', '2026-11-30T20:00:00.500Z'],
    ['2026-11-30T20:00:00.123Z', '2026-11-30T20:00:00.123Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0099-06-01T12:00:00Z', '0099-06-01T12:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['2026-01-01T00:00:00+15:59', '2025-12-31T08:01:00.000Z'],
    ['2026-01-01T00:00:00-15:59', '2026-01-01T15:59:00.000Z'],
  ])('reads %s as Postgres does: %s', (text, iso) => {
    expect(parseInstant(text)?.toISOString()).toBe(iso);
  });

  it('rounds digits past the millisecond up, so that >= and < on whole milliseconds answer as on the exact instant', () => {
    expect(parseInstant('2026-11-30T20:00:00.123000000Z')?.toISOString()).toBe('2026-11-30T20:00:00.123Z');
    expect(parseInstant('2026-11-30T20:00:00.1230001Z')?.toISOString()).toBe('2026-11-30T20:00:00.124Z');
    expect(parseInstant('2026-11-30T20:00:00.999999Z')?.toISOString()).toBe('2026-11-30T20:00:01.000Z');
  });

  it.each([
    '2026-02-30T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-04-31T10:00:00Z',
    '2026-00-10T10:00:00Z',
    '2026-13-01T10:00:00Z',
    '2026-01-00T10:00:00Z',
    '2026-01-32T10:00:00Z',
    '2026-11-30T24:00:00Z',
    '2026-11-30T23:60:00Z',
    '2026-11-30T23:00:60Z',
    '2026-11-30T10:00:00+16:00',
    '2026-11-30T10:00:00+01:60',
    '2026-11-30T10:00:00+99:99',
    '0000-01-01T00:00:00Z',
  ])('refuses %s, which names no instant (Date.parse would roll it over)', (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });

  it.each([
    '2026-02-30',
    '2026-11-30T10:00:00',
    '2026-11-30 10:00:00Z',
    '2026-11-30t10:00:00Z',
    '2026-11-30T10:00:00z',
    '2026-11-30T10:00:00+0100',
    '20261130T100000Z',
    'now',
    '1',
    '',
  ])('refuses %j, which is not the ISO 8601 form with an offset', (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });

  it('gives back every instant of the years 0001-9999 that toISOString wrote', () => {
    const dates = fc.date({
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    });
    fc.assert(fc.property(dates, (d) => parseInstant(d.toISOString())?.getTime() === d.getTime()));
  });

  it('agrees with Date.parse on every well-formed instant that exists, and refuses exactly the others', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const parts = fc.tuple(
      fc.integer({ min: 1000, max: 9999 }),
      two(13),
      two(32),
      two(24),
      two(60),
      two(60),
      fc.constantFrom('Z', '+01:00', '-12:00', '+14:00'),
    );
    fc.assert(
      fc.property(parts, ([y, mo, d, h, mi, s, off]) => {
        const text = `${y}-${mo}-${d}T${h}:${mi}:${s}${off}`;
        const [month, day] = [Number(mo), Number(d)];
        const exists =
          month >= 1 &&
          month <= 12 &&
          day >= 1 &&
          day <= new Date(Date.UTC(y, month, 0)).getUTCDate() &&
          Number(h) < 24 &&
          Number(mi) < 60 &&
          Number(s) < 60;
        const ours = parseInstant(text);
        return exists ? ours?.getTime() === Date.parse(text) : ours === undefined;
      }),
    );
  });
});

describe('instantParam', () => {
  it('names the parameter, and says whether the form or the date is wrong', () => {
    expect(refusal(() => instantParam(q('from=2026-02-30'), 'from'))).toEqual({
      param: 'from',
      message: expect.stringMatching(/ISO 8601 instant with an offset/),
    });
    expect(refusal(() => instantParam(q('from=2026-02-30T00:00:00Z'), 'from'))).toEqual({
      param: 'from',
      message: expect.stringMatching(/not an instant that exists/),
    });
    expect(instantParam(q('from='), 'from')).toBeUndefined();
    expect(instantParam(q('to=2026-11-30T20:00:00%2B01:00'), 'to')?.toISOString()).toBe('2026-11-30T19:00:00.000Z');
  });
});

describe('intParam', () => {
  const range = { min: 0, max: 2_147_483_647 };
  it.each([
    '1e3',
    '0x10',
    '1.5',
    '+5',
    '-1',
    ' 5',
    '5 ',
    'NaN',
    'Infinity',
    '2147483648',
    '9007199254740993',
    '99999999999999999999999',
    '١',
    '５',
  ])('refuses %j', (raw) => {
    expect(refusal(() => intParam(q(`event=${encodeURIComponent(raw)}`), 'event', range))).toEqual({
      param: 'event',
      message: expect.any(String),
    });
  });

  it('reads digits within the range, leading zeros included, and falls back when absent or empty', () => {
    expect(intParam(q('event=2147483647'), 'event', range)).toBe(2_147_483_647);
    expect(intParam(q('event=007'), 'event', range)).toBe(7);
    expect(intParam(q('event='), 'event', range, 3)).toBe(3);
    expect(intParam(q(''), 'event', range)).toBeUndefined();
  });
});

describe('onlyParams', () => {
  it('refuses an unknown parameter and a known one given twice, naming it', () => {
    expect(refusal(() => onlyParams(q('limit=5&lmit=4'), ['limit']))).toEqual({
      param: 'lmit',
      message: expect.stringMatching(/unknown query parameter/),
    });
    expect(refusal(() => onlyParams(q('limit=5&limit=x'), ['limit']))).toEqual({
      param: 'limit',
      message: 'limit is given more than once; give it once',
    });
    expect(refusal(() => onlyParams(q('limit=5&limit=5'), ['limit']))).toEqual({
      param: 'limit',
      message: expect.stringMatching(/more than once/),
    });
  });

  it('lets the function key through, even twice: the host checked it', () => {
    expect(refusal(() => onlyParams(q('code=a&code=b&limit=1'), ['limit']))).toBe('accepted');
  });
});

describe('queryParams', () => {
  it("keeps repeats, which the local host's request.query drops", () => {
    expect(queryParams({ url: 'http://localhost/api/tickets?limit=5&limit=x' }).getAll('limit')).toEqual(['5', 'x']);
  });
});

describe('ticketNumberParam', () => {
  it('takes 1 to 200 characters that Postgres text can hold', () => {
    expect(ticketNumberParam({ number: 'TEST1' })).toBe('TEST1');
    for (const number of ['', 'x'.repeat(201), 'a\u0000b'])
      expect(refusal(() => ticketNumberParam({ number }))).toEqual({ param: 'number', message: expect.any(String) });
  });
});
