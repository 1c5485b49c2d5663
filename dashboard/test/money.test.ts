import { formatMoney, fromCents, toCents } from '../src/state/money';

describe('money in cents', () => {
  it('parses decimal strings exactly', () => {
    expect(toCents('25.00')).toBe(2500);
    expect(toCents('0.05')).toBe(5);
    expect(toCents('12.5')).toBe(1250);
    expect(toCents('7')).toBe(700);
    expect(toCents('-3.10')).toBe(-310);
  });

  it('rejects what is not an amount', () => {
    expect(() => toCents('abc')).toThrow(/not a decimal amount/);
    expect(() => toCents('1.234')).toThrow(/not a decimal amount/);
  });

  it('formats cents back to two decimals', () => {
    expect(fromCents(2500)).toBe('25.00');
    expect(fromCents(5)).toBe('0.05');
    expect(fromCents(-310)).toBe('-3.10');
    expect(fromCents(0)).toBe('0.00');
  });

  it('adding and removing the same prices returns to the same total', () => {
    const prices = ['0.10', '0.20', '19.99', '33.33'];
    let total = toCents('100.00');
    for (const p of prices) total += toCents(p);
    for (const p of prices) total -= toCents(p);
    expect(fromCents(total)).toBe('100.00');
  });

  it('groups thousands for display', () => {
    expect(formatMoney('1234567.50', 'CHF')).toBe('CHF 1\u2019234\u2019567.50');
    expect(formatMoney('25.00', 'EUR')).toBe('EUR 25.00');
  });
});
