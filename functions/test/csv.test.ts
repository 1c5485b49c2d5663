import { csvField, csvLine } from '../src/read-api/csv';

describe('CSV export fields', () => {
  it('quotes every field and doubles quotes inside', () => {
    expect(csvLine(['a', 'say "hi"', 'x,y', 'two\nlines', null, 12])).toBe(
      '"a","say ""hi""","x,y","two\nlines","","12"\r\n',
    );
  });

  it.each(['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tTab', '\rCR'])(
    'keeps %j as text, not a formula',
    (value) => {
      const field = csvField(value);
      expect(field.startsWith(`"'`)).toBe(true);
      expect(field).toBe(`"'${value.replace(/"/g, '""')}"`);
    },
  );

  it('leaves ordinary text and negative-looking numbers of its own alone', () => {
    expect(csvField('Case à Chocs')).toBe('"Case à Chocs"');
    expect(csvField(-5)).toBe(`"'-5"`);
  });
});
