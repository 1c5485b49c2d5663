/** Display formatting; kept apart from the components so they stay declarative. */
import { formatMoney } from './state/money';
import type { Money } from './types';

export function money(m: Money): string {
  return formatMoney(m.amount, m.currency);
}

export function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)} %`;
}

export function count(n: number): string {
  return n.toLocaleString('en-GB').replace(/,/g, '\u2019');
}

export function perSecond(n: number): string {
  return n < 10 ? n.toFixed(2) : n.toFixed(0);
}

/** YYYY-MM-DD → "12 Dec 2026", read as a calendar date (no timezone shift). */
export function sessionDate(date: string | null): string {
  if (!date) return '—';
  const d = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? date : d.toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
}

export function dateTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });
}

export function minuteLabel(iso: string): string {
  return new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

/** undef_cancellation → "undef cancellation" */
export function reason(code: string): string {
  return code ? code.replace(/_/g, ' ') : 'no reason given';
}
