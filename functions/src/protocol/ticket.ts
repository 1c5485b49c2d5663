/**
 * The ticket's fields, defined once: their names and types (LiveTicket, TicketRow), and the
 * column of the `ticket` table each one is stored in (TICKET_ROW_COLUMNS), with its SQL type and
 * nullability. The compiler holds the two together (a field without a column, or a column whose
 * nullability differs from its field's type, does not compile); the read API derives its SELECT
 * list and row mapping from the columns; functions/test/ticketFields.int.test.ts checks the
 * migrations' table, functions and live-event JSON against them on a fresh database.
 */

export type TicketStatus = 'valid' | 'cancelled';

/** The ticket as a live event carries it (the `ticket` of LiveEvent) and the dashboard shows it. */
export interface LiveTicket {
  number: string;
  title: string;
  event: string;
  eventId: number;
  category: string;
  type: string;
  price: { amount: string; currency: string };
  /** First session's date, YYYY-MM-DD, or null. */
  sessionDate: string | null;
  city: string | null;
  venue: string | null;
  cancellationReason: string;
  status: TicketStatus;
}

/** A projection row (one row of GET /api/tickets): the live ticket plus what the projection tracks about it. */
export interface TicketRow extends LiveTicket {
  /** The id of the ticket's newest webhook; rows are ordered by it, newest first. */
  webhookId: number;
  firstSeenAt: string;
  updatedAt: string;
  buyerRole: string | null;
}

/** A column's type as information_schema.columns.data_type names it. */
export type SqlType = 'text' | 'character' | 'integer' | 'bigint' | 'numeric' | 'date' | 'timestamp with time zone';

export interface TicketColumn<Nullable extends boolean = boolean> {
  column: string;
  sqlType: SqlType;
  nullable: Nullable;
}

/** A column for every leaf field of T (nested objects nest), nullable exactly when the field admits null. */
export type TicketColumns<T> = {
  [K in keyof T]-?: T[K] extends string | number | null
    ? TicketColumn<null extends T[K] ? true : false>
    : TicketColumns<T[K]>;
};

export const LIVE_TICKET_COLUMNS: TicketColumns<LiveTicket> = {
  number: { column: 'number', sqlType: 'text', nullable: false },
  title: { column: 'title', sqlType: 'text', nullable: false },
  event: { column: 'event', sqlType: 'text', nullable: false },
  eventId: { column: 'event_id', sqlType: 'integer', nullable: false },
  category: { column: 'category', sqlType: 'text', nullable: false },
  type: { column: 'type', sqlType: 'text', nullable: false },
  price: {
    amount: { column: 'price_amount', sqlType: 'numeric', nullable: false },
    currency: { column: 'price_currency', sqlType: 'character', nullable: false },
  },
  sessionDate: { column: 'session_date', sqlType: 'date', nullable: true },
  city: { column: 'city', sqlType: 'text', nullable: true },
  venue: { column: 'venue', sqlType: 'text', nullable: true },
  cancellationReason: { column: 'cancellation_reason', sqlType: 'text', nullable: false },
  status: { column: 'status', sqlType: 'text', nullable: false },
};

const { number: numberColumn, ...liveAfterNumber } = LIVE_TICKET_COLUMNS;

/** In the table's column order (which is also the order of a row's JSON keys). */
export const TICKET_ROW_COLUMNS: TicketColumns<TicketRow> = {
  number: numberColumn,
  webhookId: { column: 'webhook_id', sqlType: 'bigint', nullable: false },
  firstSeenAt: { column: 'first_seen_at', sqlType: 'timestamp with time zone', nullable: false },
  updatedAt: { column: 'updated_at', sqlType: 'timestamp with time zone', nullable: false },
  ...liveAfterNumber,
  buyerRole: { column: 'buyer_role', sqlType: 'text', nullable: true },
};

/**
 * The projection's bookkeeping (migration 004, after the row's columns): the webhook whose state the row shows; in no
 * API.
 */
export const TICKET_STATE_COLUMNS: readonly TicketColumn[] = [
  { column: 'state_webhook_id', sqlType: 'bigint', nullable: false },
  { column: 'state_event', sqlType: 'text', nullable: false },
  { column: 'state_signed_at', sqlType: 'timestamp with time zone', nullable: false },
];

/** One leaf field and its column: `path` is where the field sits in the object (['price', 'amount']). */
export interface TicketField extends TicketColumn {
  path: readonly string[];
}

function isColumn(value: object): value is TicketColumn {
  return 'column' in value;
}

/** The leaf fields of a column table, in declaration order. */
export function ticketFields(columns: object, prefix: readonly string[] = []): TicketField[] {
  return Object.entries(columns).flatMap(([key, value]: [string, object]) =>
    isColumn(value) ? [{ ...value, path: [...prefix, key] }] : ticketFields(value, [...prefix, key]),
  );
}
