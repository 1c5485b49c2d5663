/**
 * Prices travel as decimal strings ("25.00"). Sums are done in integer cents so that adding
 * and removing the same price always returns to the same total (floats would drift).
 */
export function toCents(amount: string): number {
  const match = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!match) throw new Error(`not a decimal amount: "${amount}"`);
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '0').padEnd(2, '0'));
  return match[1] ? -cents : cents;
}

export function fromCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** "1234.50" + "CHF" → "CHF 1,234.50" (grouping by the en-CH convention, fixed for tests). */
export function formatMoney(amount: string, currency: string): string {
  const cents = toCents(amount);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u2019');
  return `${currency} ${sign}${whole}.${String(abs % 100).padStart(2, '0')}`;
}
