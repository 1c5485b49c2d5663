import type { Pool } from 'pg';
import type { TicketRow } from '../protocol/ticket';
import { cursorAfter, listTickets, type TicketCursor, type TicketFilter, type TicketSort } from './readModels';

/**
 * CSV for spreadsheets: every field quoted (quotes doubled), CRLF line ends, and a field that a
 * spreadsheet would run as a formula (= + - @, or a tab or CR first) prefixed with ' so it
 * stays text: ticket data comes from outside and must not execute on the box office's machine.
 */
export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function csvLine(values: ReadonlyArray<string | number | null>): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** A CSV export stops here; the response says so in Petzi-Export-Truncated. */
export const EXPORT_MAX_ROWS = 100_000;
const EXPORT_PAGE = 2_000;

const TICKET_CSV_HEADER = [
  'ticket',
  'sold_at',
  'updated_at',
  'event_id',
  'event',
  'session_date',
  'venue',
  'city',
  'title',
  'category',
  'type',
  'price',
  'currency',
  'status',
  'cancellation_reason',
];

/** A row for the export: the ticket, never its buyer. */
function ticketCsvRow(t: TicketRow): string {
  return csvLine([
    t.number,
    t.firstSeenAt,
    t.updatedAt,
    t.eventId,
    t.event,
    t.sessionDate,
    t.venue,
    t.city,
    t.title,
    t.category,
    t.type,
    t.price.amount,
    t.price.currency,
    t.status,
    t.cancellationReason,
  ]);
}

/** Every ticket matching `filter`, in `sort` order, as CSV (read page by page), up to EXPORT_MAX_ROWS. */
export async function exportTickets(
  pool: Pool,
  filter: TicketFilter,
  sort: TicketSort,
): Promise<{ csv: string; truncated: boolean }> {
  let csv = csvLine(TICKET_CSV_HEADER);
  let cursor: TicketCursor | undefined;
  let count = 0;
  for (;;) {
    const page = await listTickets(pool, { limit: EXPORT_PAGE, filter, sort, cursor });
    for (const row of page) csv += ticketCsvRow(row);
    count += page.length;
    if (page.length < EXPORT_PAGE) return { csv, truncated: false };
    if (count >= EXPORT_MAX_ROWS) return { csv, truncated: true };
    cursor = cursorAfter(page[page.length - 1], sort);
  }
}
