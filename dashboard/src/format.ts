/**
 * Display formatting; kept apart from the components so they stay declarative. Every Intl
 * formatter is built once and reused: building one per call (toLocaleDateString) cost 0.33 ms,
 * per row and per live event, and was half of the page's time under a presale.
 */
import { formatMoney } from './state/money';
import type { Money } from './types';

export const DEFAULT_ZONE = 'Europe/Zurich';

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', options);
    cache.set(key, f);
  }
  return f;
}

const grouping = new Intl.NumberFormat('en-GB');

export function money(m: Money): string {
  return formatMoney(m.amount, m.currency);
}

export function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)} %`;
}

/** Swiss grouping: 12’345. */
export function count(n: number): string {
  return grouping.format(n).replace(/,/g, '\u2019');
}

export function perSecond(n: number): string {
  return n < 10 ? n.toFixed(1) : n.toFixed(0);
}

/** YYYY-MM-DD → "12 Dec 2026", read as a calendar date (no timezone shift). */
export function sessionDate(date: string | null): string {
  if (!date) return '—';
  const d = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(d.getTime())
    ? date
    : formatter('session', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(d);
}

/** A moment in `zone`, e.g. "30 Nov 2026, 21:04:05". */
export function dateTime(iso: string | null, zone = DEFAULT_ZONE): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : formatter(`dt:${zone}`, { timeZone: zone, dateStyle: 'medium', timeStyle: 'medium' }).format(d);
}

/** A sale time in the table: "30 Nov, 21:04:05". */
export function shortDateTime(iso: string, zone = DEFAULT_ZONE): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : formatter(`sdt:${zone}`, {
        timeZone: zone,
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      }).format(d);
}

export function minuteLabel(iso: string, zone = DEFAULT_ZONE): string {
  return formatter(`min:${zone}`, { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(iso),
  );
}

/** "Mon 30 Nov" of a moment in `zone`: a day's bar on the sales chart. */
export function dayLabel(iso: string, zone = DEFAULT_ZONE): string {
  return formatter(`day:${zone}`, { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short' }).format(
    new Date(iso),
  );
}

/** "HH:MM" of a moment, for "Offline since 21:04". */
export function clock(ms: number, zone = DEFAULT_ZONE): string {
  return minuteLabel(new Date(ms).toISOString(), zone);
}

/** The zone's short name at that moment ("CET", "CEST", "UTC"), for labels. */
export function zoneName(zone = DEFAULT_ZONE, at = Date.now()): string {
  const part = formatter(`zn:${zone}`, { timeZone: zone, timeZoneName: 'short' })
    .formatToParts(new Date(at))
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? zone;
}

/** An age in words: "12 s", "4 min", "2 h". */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** undef_cancellation → "undef cancellation" */
export function reason(code: string): string {
  return code ? code.replace(/_/g, ' ') : 'no reason given';
}

/** "Name · 12 Dec 2026 · Venue": same-named events told apart (an empty name: only date and venue). */
export function eventLabel(e: {
  event: string;
  sessionDate?: string | null;
  venue?: string | null;
  city?: string | null;
}): string {
  return [e.event || null, e.sessionDate ? sessionDate(e.sessionDate) : null, e.venue ?? e.city ?? null]
    .filter(Boolean)
    .join(' · ');
}

/** Milliseconds `zone` is ahead of UTC at instant `ms`. */
function zoneOffsetMs(zone: string, ms: number): number {
  const parts = formatter(`off:${zone}`, {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return (
    Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) -
    Math.floor(ms / 1000) * 1000
  );
}

/**
 * The instant a wall-clock time in `zone` names, as ISO: a calendar day (YYYY-MM-DD, its start) or
 * a minute (YYYY-MM-DDTHH:mm, what a datetime-local input gives); null if it is neither.
 */
export function zonedInstant(local: string, zone = DEFAULT_ZONE): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(local);
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0));
  if (Number.isNaN(wall)) return null;
  let at = wall - zoneOffsetMs(zone, wall);
  // Once more, in case the offset changes between the guess and the answer (a DST night).
  at = wall - zoneOffsetMs(zone, at);
  return new Date(at).toISOString();
}

/** The instant a calendar day (YYYY-MM-DD) starts in `zone`, as ISO; null if not a date. */
export function zonedDayStart(day: string, zone = DEFAULT_ZONE): string | null {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? zonedInstant(day, zone) : null;
}

/** Today's date (YYYY-MM-DD) in `zone`. */
export function zonedToday(zone = DEFAULT_ZONE, now = Date.now()): string {
  return new Date(now + zoneOffsetMs(zone, now)).toISOString().slice(0, 10);
}
