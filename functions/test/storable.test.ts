import { COLUMN_RULES, isCalendarDate, unstorableCharacter, unstorableNumber } from '../src/protocol/storable';
import { unstorableJsonProblems } from '../src/protocol/storableJson';

describe('isCalendarDate', () => {
  it.each(['2026-02-28', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31', '2026-12-31'])(
    'accepts %s',
    (value) => {
      expect(isCalendarDate(value)).toBe(true);
    },
  );
  it.each([
    '2026-02-30',
    '2026-02-29',
    '1900-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '0000-01-01',
    '2026-1-01',
    '12.12.2026',
  ])('refuses %s', (value) => {
    expect(isCalendarDate(value)).toBe(false);
  });
});

describe('the numeric(12,2) amount', () => {
  const rule = COLUMN_RULES['numeric(12,2)'];
  it.each(['0', '12.50', '-3.5', '9999999999.99', '0009999999999.99', '-9999999999.99'])('accepts %s', (value) => {
    expect(rule.safeParse(value).success).toBe(true);
  });
  it.each(['10000000000', '10000000000.00', '-10000000000', '1.234', '1e3', '12,50', ''])('refuses %s', (value) => {
    expect(rule.safeParse(value).success).toBe(false);
  });
});

describe('unstorableCharacter', () => {
  it.each(['plain', 'Prévente', '😀', ''])('accepts %j', (value) => expect(unstorableCharacter(value)).toBeNull());
  it.each(['a\u0000b', '\ud800', 'x\udc00', '\ud83d', '\ude00\ud83d'])('refuses %j', (value) =>
    expect(unstorableCharacter(value)).not.toBeNull(),
  );
});

describe('unstorableNumber', () => {
  const long = (head: string, digit: string, count: number) => `${head}${digit.repeat(count)}`;
  it.each([
    ['0', '0'],
    ['-0', '-0'],
    ['1e131071', '1e131071'],
    ['9.9e131071', '9.9e131071'],
    ['1e-16383', '1e-16383'],
    ['0e99999', '0e99999'],
    ['30 digits', '123456789012345678901234567890'],
    ['1.5E+10', '1.5E+10'],
    ['16383 decimals', long('0.', '1', 16383)],
  ])('accepts %s', (_label, token) => expect(unstorableNumber(token)).toBeNull());
  it.each([
    ['1e131072', '1e131072'],
    ['1e-16384', '1e-16384'],
    ['100e-16385', '100e-16385'],
    ['0e-16384', '0e-16384'],
    ['1e9999999999', '1e9999999999'],
    ['16384 decimals', long('0.', '1', 16384)],
    ['131073 digits', long('1', '0', 131072)],
  ])('refuses %s', (_label, token) => expect(unstorableNumber(token)).not.toBeNull());
});

describe('unstorableJsonProblems', () => {
  it('names the path of each string, key and number jsonb refuses', () => {
    const text =
      '{"event":"x","details":{"ticket":{"title":"a\\u0000b","sessions":[{"date":"d"},{"name":"\\ud800"}]},"n":[1,2,1e999999],"k\\u0000":1}}';
    expect(unstorableJsonProblems(text)).toEqual([
      { path: 'details.ticket.title', message: expect.stringContaining('U+0000') },
      { path: 'details.ticket.sessions.1.name', message: expect.stringContaining('surrogate') },
      { path: 'details.n.2', message: expect.stringContaining('overflows') },
      { path: 'details.k\u0000', message: expect.stringContaining('key') },
    ]);
  });

  it('finds nothing in storable JSON, escapes and surrogate pairs included', () => {
    const text = JSON.stringify({
      a: 'é\n"\\',
      b: '\ud83d\ude00',
      c: [1, -2.5, 1e300, true, null, {}],
      'd"e': { f: [] },
    });
    expect(unstorableJsonProblems(text)).toEqual([]);
    expect(unstorableJsonProblems('{"a":"\\ud83d\\ude00","b":"\\u00e9"}')).toEqual([]);
    // A backslash written as \\ followed by "u0000" is six plain characters, not a NUL.
    expect(unstorableJsonProblems('{"a":"\\\\u0000","b":"\\\\"}')).toEqual([]);
  });

  it('follows escaped quotes and backslashes to the right field', () => {
    expect(unstorableJsonProblems('{"a\\"b":{"c\\\\":"x\\u0000"},"n":1E5}')).toEqual([
      { path: 'a"b.c\\', message: expect.stringContaining('U+0000') },
    ]);
  });
});
