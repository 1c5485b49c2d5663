import { z } from 'zod';

/**
 * What the database accepts, stated once. The webhook schema builds its fields from these rules
 * and the migrations declare the columns they describe; functions/test/storable.int.test.ts reads
 * the column types of a migrated database and casts each rule's boundary values in Postgres, so
 * the two cannot drift apart unnoticed. A webhook that breaks a rule gets a 422 at the door
 * instead of a 200 for a row that a later statement (group commit, relay batch) cannot store.
 */

/** A JS string Postgres text and jsonb can hold: no U+0000, no unpaired UTF-16 surrogate. */
// eslint-disable-next-line no-control-regex -- U+0000 is the character looked for
const UNSTORABLE_CHAR = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function unstorableCharacter(value: string): string | null {
  const match = UNSTORABLE_CHAR.exec(value);
  if (!match) return null;
  const code = match[0].charCodeAt(0);
  return code === 0
    ? 'contains U+0000, which Postgres text cannot hold'
    : `contains an unpaired surrogate \\u${code.toString(16)}`;
}

export const INT4_MIN = -2_147_483_648;
export const INT4_MAX = 2_147_483_647;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A date that exists, in the years Postgres reads from four digits (it has no year 0). */
export function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

/**
 * A decimal string numeric(precision, scale) stores without rounding: at most `scale` decimals
 * (a third one would be rounded away silently, not refused) and an absolute value below
 * 10^(precision - scale).
 */
function decimalString(precision: number, scale: number): z.ZodString {
  const format = new RegExp(`^-?(\\d+)(\\.\\d{1,${scale}})?$`);
  const integerDigits = precision - scale;
  return z
    .string()
    .regex(format, `expected a decimal string such as "12.50" (at most ${scale} decimals)`)
    .refine((value) => (format.exec(value)?.[1] ?? '').replace(/^0+/, '').length <= integerDigits, {
      message: `expected an absolute value below 1e${integerDigits} (numeric(${precision},${scale}))`,
    });
}

/** Any string Postgres text (and jsonb) can hold. No length limit: text has none. */
export const storableText = z.string().superRefine((value, context) => {
  const problem = unstorableCharacter(value);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

/** The column kinds the projection stores payload values in, by Postgres' own type name. */
export const COLUMN_RULES = {
  integer: z.number().int().min(INT4_MIN).max(INT4_MAX),
  'numeric(12,2)': decimalString(12, 2),
  date: z.string().refine(isCalendarDate, 'expected a real calendar date YYYY-MM-DD (years 0001 to 9999)'),
  'character(3)': z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as "CHF"'),
  text: storableText,
} as const;
export type ColumnKind = keyof typeof COLUMN_RULES;

/**
 * Every `ticket` column filled from the payload, its type (as `format_type` prints it) and the
 * payload field it comes from. The schema takes each field's rule from here; the relay reads the
 * same fields in SQL (functions/src/relay/sql/relay_input.sql), and ticketFields.int.test.ts checks
 * that it reads each column from the field named here.
 */
export const TICKET_COLUMNS = {
  number: { kind: 'text', field: 'details.ticket.number' },
  title: { kind: 'text', field: 'details.ticket.title' },
  event: { kind: 'text', field: 'details.ticket.event' },
  event_id: { kind: 'integer', field: 'details.ticket.eventId' },
  category: { kind: 'text', field: 'details.ticket.category' },
  type: { kind: 'text', field: 'details.ticket.type' },
  price_amount: { kind: 'numeric(12,2)', field: 'details.ticket.price.amount' },
  price_currency: { kind: 'character(3)', field: 'details.ticket.price.currency' },
  session_date: { kind: 'date', field: 'details.ticket.sessions.N.date' },
  city: { kind: 'text', field: 'details.ticket.sessions.N.location.city' },
  venue: { kind: 'text', field: 'details.ticket.sessions.N.location.name' },
  cancellation_reason: { kind: 'text', field: 'details.ticket.cancellationReason' },
  buyer_role: { kind: 'text', field: 'details.buyer.role' },
} as const satisfies Record<string, { kind: ColumnKind; field: string }>;

/** The rule of one projected column, for the schema. */
export function ruleOf<C extends keyof typeof TICKET_COLUMNS>(
  column: C,
): (typeof COLUMN_RULES)[(typeof TICKET_COLUMNS)[C]['kind']] {
  // TypeScript cannot follow the indexed access through the generic; the lookup is exactly the return type.
  return COLUMN_RULES[TICKET_COLUMNS[column].kind] as (typeof COLUMN_RULES)[(typeof TICKET_COLUMNS)[C]['kind']];
}

// jsonb stores every JSON number as numeric, whose limits (PostgreSQL's numeric.c) are: at most
// 131072 digits before the point (weight, in base-10000 digits, up to 32767), a display scale
// of at most 16383, and an exponent written below INT_MAX / 2.
const NUMERIC_WEIGHT_MAX = 32767;
const NUMERIC_WEIGHT_MIN = -32768;
const NUMERIC_DSCALE_MAX = 16383;
const EXPONENT_LIMIT = 1_073_741_823;
const JSON_NUMBER = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Why jsonb would refuse this JSON number token, or null if it stores it. */
export function unstorableNumber(token: string): string | null {
  const match = JSON_NUMBER.exec(token);
  if (!match) return 'is not a JSON number';
  const [, whole, fraction = '', exponentText = '0'] = match;
  const exponentDigits = exponentText.replace(/^[+-]?0*/, '');
  if (exponentDigits.length > 10 || Math.abs(Number(exponentText)) >= EXPONENT_LIMIT)
    return `${token.slice(0, 40)} overflows numeric`;
  const exponent = Number(exponentText);
  if (Math.max(0, fraction.length - exponent) > NUMERIC_DSCALE_MAX)
    return `${token.slice(0, 40)} has more decimals than numeric holds`;
  const digits = `${whole}${fraction}`;
  const firstNonZero = digits.search(/[1-9]/);
  if (firstNonZero === -1) return null;
  // Decimal weight: the power of ten of the first significant digit.
  const decimalWeight = whole.length - 1 - firstNonZero + exponent;
  const weight = Math.floor(decimalWeight / 4);
  if (weight > NUMERIC_WEIGHT_MAX || weight < NUMERIC_WEIGHT_MIN) return `${token.slice(0, 40)} overflows numeric`;
  return null;
}
