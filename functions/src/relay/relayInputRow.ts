import { LIVE_TICKET_COLUMNS, ticketFields } from '../protocol/ticket';
import type { RelayInput } from './project';

/** One relay_input row (migration 008): a JSON object whose keys are the type's attributes. */
export type RelayInputRow = Record<string, string | number | null>;

const TICKET_FIELDS = ticketFields(LIVE_TICKET_COLUMNS);

/**
 * What relay_batch and ticket_apply read for one webhook: its id, received time and kind, its ticket
 * under the ticket table's column names (LIVE_TICKET_COLUMNS, the one map of fields to columns) and
 * the buyer's role.
 */
export function relayInputRow({ live, buyerRole }: RelayInput): RelayInputRow {
  const row: RelayInputRow = { id: live.id, received_at: live.receivedAt, kind: live.event, buyer_role: buyerRole };
  for (const { column, path } of TICKET_FIELDS) {
    let value: unknown = live.ticket;
    for (const key of path) value = (value as Record<string, unknown>)[key];
    row[column] = value as string | number | null;
  }
  return row;
}
