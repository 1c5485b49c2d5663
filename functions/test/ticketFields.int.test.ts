import type { Pool } from 'pg';
import { createMigratedDatabase, type MigratedDatabase } from '../../test/support/db';
import { listTickets } from '../src/read-api/readModels';
import {
  LIVE_TICKET_COLUMNS,
  TICKET_ROW_COLUMNS,
  TICKET_STATE_COLUMNS,
  ticketFields,
  type LiveTicket,
  type TicketColumn,
} from '../src/protocol/ticket';
import { TICKET_COLUMNS } from '../src/protocol/storable';

/**
 * The ticket's fields are defined once, in protocol/ticket.ts (and where the payload holds them, in
 * protocol/storable.ts); the migrations and the relay's SQL functions spell them out in SQL. On a
 * freshly migrated database, every place the SQL names them must match the TypeScript definition,
 * and a drift fails naming the column.
 */

let database: MigratedDatabase;
let pool: Pool;
beforeAll(async () => ({ pool } = database = await createMigratedDatabase()));
afterAll(() => database.close());

const ROW_FIELDS = ticketFields(TICKET_ROW_COLUMNS);
const LIVE_FIELDS = ticketFields(LIVE_TICKET_COLUMNS);
const TABLE_COLUMNS: TicketColumn[] = [...ROW_FIELDS, ...TICKET_STATE_COLUMNS];

/**
 * Differences between two lists of names (columns, or JSON keys when not `ordered`), each naming the column and where
 * it is.
 */
function nameDrift(where: string, sql: string[], typescript: string[], ordered = true): string[] {
  const drift = [
    ...sql.filter((c) => !typescript.includes(c)).map((c) => `${where}: ${c} is in the SQL, not in protocol/ticket.ts`),
    ...typescript.filter((c) => !sql.includes(c)).map((c) => `${where}: ${c} is in protocol/ticket.ts, not in the SQL`),
  ];
  if (drift.length === 0 && ordered) {
    sql.forEach(
      (c, i) =>
        c !== typescript[i] &&
        drift.push(
          `${where}: ${c} is at position ${i + 1} in the SQL, ${typescript.indexOf(c) + 1} in protocol/ticket.ts`,
        ),
    );
  }
  return drift;
}

/** The leaf keys of a JSON object as dotted paths. */
function jsonPaths(value: object, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, child]: [string, unknown]) =>
    child !== null && typeof child === 'object' ? jsonPaths(child, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

/** A live ticket with a distinct value in every field, so a field read from the wrong place shows. */
const LIVE: LiveTicket = {
  number: 'FIELDS-1',
  title: 'A title',
  event: 'An event',
  eventId: 4242,
  category: 'A category',
  type: 'A type',
  price: { amount: '12.50', currency: 'EUR' },
  sessionDate: '2026-05-01',
  city: 'Bern',
  venue: 'A venue',
  cancellationReason: 'A reason',
  status: 'cancelled',
};

/** A stored ticket payload holding LIVE, each field at the path protocol/storable.ts names for its column. */
function payloadOf(live: LiveTicket, buyerRole: string): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    event: 'ticket_updated',
    details: { ticket: { sessions: [] }, buyer: { firstName: 'Ada' } },
  };
  const values: Record<keyof typeof TICKET_COLUMNS, unknown> = {
    number: live.number,
    title: live.title,
    event: live.event,
    event_id: live.eventId,
    category: live.category,
    type: live.type,
    price_amount: live.price.amount,
    price_currency: live.price.currency,
    session_date: live.sessionDate,
    city: live.city,
    venue: live.venue,
    cancellation_reason: live.cancellationReason,
    buyer_role: buyerRole,
  };
  for (const [column, { field }] of Object.entries(TICKET_COLUMNS)) {
    const path = field.split('.').map((key) => (key === 'N' ? '0' : key));
    let node = payload as Record<string, unknown>;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = values[column as keyof typeof TICKET_COLUMNS];
  }
  return payload;
}

/** Stores a webhook with this payload; returns its id. */
async function storeWebhook(payload: unknown): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO webhook_event (event_type, body_sha256, signature_timestamp, payload)
     VALUES ('ticket_updated', md5(random()::text) || md5(random()::text), now(), $1::jsonb) RETURNING id`,
    [JSON.stringify(payload)],
  );
  return Number(rows[0].id);
}

describe('the ticket fields of protocol/ticket.ts and the migrations', () => {
  test('the ticket table has exactly their columns, in order, with their types and nullability', async () => {
    const { rows } = await pool.query<{ column_name: string; data_type: string; is_nullable: 'YES' | 'NO' }>(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'ticket' ORDER BY ordinal_position`,
    );
    const drift = nameDrift(
      'table ticket',
      rows.map((r) => r.column_name),
      TABLE_COLUMNS.map((c) => c.column),
    );
    for (const row of rows) {
      const column = TABLE_COLUMNS.find((c) => c.column === row.column_name);
      if (!column) continue;
      if (row.data_type !== column.sqlType)
        drift.push(
          `table ticket: column ${row.column_name} is ${row.data_type} in the SQL, ${column.sqlType} in protocol/ticket.ts`,
        );
      if ((row.is_nullable === 'YES') !== column.nullable) {
        drift.push(
          `table ticket: column ${row.column_name} is ${row.is_nullable === 'YES' ? 'nullable' : 'NOT NULL'} in the SQL, not in protocol/ticket.ts`,
        );
      }
    }
    expect(drift).toEqual([]);
  });

  test('ticket_candidates returns the table columns in order, ticket_state holds those after first_seen_at, relay_input the live columns', async () => {
    const candidates = await pool.query<{ parameter_name: string }>(
      `SELECT p.parameter_name FROM information_schema.parameters p JOIN information_schema.routines r ON r.specific_name = p.specific_name
        WHERE r.routine_schema = current_schema() AND r.routine_name = 'ticket_candidates' AND p.parameter_mode = 'OUT' ORDER BY p.ordinal_position`,
    );
    const state = await pool.query<{ attribute_name: string }>(
      `SELECT attribute_name FROM information_schema.attributes
        WHERE udt_schema = current_schema() AND udt_name = 'ticket_state' ORDER BY ordinal_position`,
    );
    const input = await pool.query<{ attribute_name: string }>(
      `SELECT attribute_name FROM information_schema.attributes
        WHERE udt_schema = current_schema() AND udt_name = 'relay_input' ORDER BY ordinal_position`,
    );
    const columns = TABLE_COLUMNS.map((c) => c.column);
    expect([
      ...nameDrift(
        'function ticket_candidates',
        candidates.rows.map((r) => r.parameter_name),
        columns,
      ),
      ...nameDrift(
        'type ticket_state',
        state.rows.map((r) => r.attribute_name),
        columns.slice(columns.indexOf('first_seen_at') + 1),
      ),
      // The webhook (id, when, which event), its live ticket's columns, the buyer's role, when it was signed.
      ...nameDrift(
        'type relay_input',
        input.rows.map((r) => r.attribute_name),
        ['id', 'received_at', 'kind', ...LIVE_FIELDS.map((f) => f.column), 'buyer_role', 'signed_at'],
      ),
    ]).toEqual([]);
  });

  test('relay_input_of reads each column from the payload path protocol/storable.ts names for it', async () => {
    const id = await storeWebhook(payloadOf(LIVE, 'A role'));
    const { rows } = await pool.query<{ row: Record<string, string | null> }>(
      "SELECT (SELECT jsonb_object_agg(c.key, c.value #>> '{}') FROM jsonb_each(to_jsonb(relay_input_of(w.id, w.received_at, w.event_type, w.signature_timestamp, w.payload))) AS c) AS row FROM webhook_event w WHERE w.id = $1",
      [id],
    );
    const drift = [
      ...LIVE_FIELDS.map((f) => ({ column: f.column, path: f.path })),
      { column: 'buyer_role', path: [] },
    ].flatMap(({ column, path }) => {
      const value =
        column === 'buyer_role'
          ? 'A role'
          : path.reduce<unknown>((object, key) => (object as Record<string, unknown>)[key], LIVE);
      return rows[0].row[column] === String(value)
        ? []
        : [`relay_input_of gives ${column} = ${rows[0].row[column]}, the payload holds ${String(value)}`];
    });
    expect(drift).toEqual([]);
    expect(rows[0].row).toMatchObject({ id: String(id), kind: 'ticket_updated' });
  });

  test('ticket_live builds a live ticket with exactly the live fields', async () => {
    const { rows } = await pool.query<{ live: object }>(
      "SELECT ticket_live(jsonb_populate_record(NULL::ticket, '{}'::jsonb)) AS live",
    );
    // jsonb keeps its keys sorted, not in the order they were built: the names are what must match.
    expect(
      nameDrift(
        'function ticket_live',
        jsonPaths(rows[0].live),
        LIVE_FIELDS.map((f) => f.path.join('.')),
        false,
      ),
    ).toEqual([]);
  });

  test('a stored webhook applied by ticket_apply lands each field in its column, and comes back whole through ticket_live and the read API', async () => {
    await pool.query('DELETE FROM ticket');
    const id = await storeWebhook(payloadOf(LIVE, 'A role'));
    await pool.query("UPDATE webhook_event SET received_at = '2026-04-01T10:00:00.000Z' WHERE id = $1", [id]);
    const { rows } = await pool.query<{ row: Record<string, string | null>; live: LiveTicket }>(
      `SELECT (SELECT jsonb_object_agg(c.key, c.value #>> '{}') FROM jsonb_each(to_jsonb(a)) AS c) AS row, ticket_live(a) AS live
         FROM ticket_apply(ARRAY(SELECT relay_input_of(w.id, w.received_at, w.event_type, w.signature_timestamp, w.payload) FROM webhook_event w WHERE w.id = $1)) AS a`,
      [id],
    );
    expect(rows).toHaveLength(1);
    const drift = LIVE_FIELDS.flatMap((field) => {
      const value = field.path.reduce<unknown>((object, key) => (object as Record<string, unknown>)[key], LIVE);
      const column = rows[0].row[field.column];
      return column === String(value)
        ? []
        : [`column ${field.column} holds ${column}, the live event's ${field.path.join('.')} is ${String(value)}`];
    });
    expect(drift).toEqual([]);
    expect(rows[0].row.buyer_role).toBe('A role');
    expect(rows[0].live).toEqual(LIVE);
    const [read] = await listTickets(pool, { limit: 1 });
    expect(read).toEqual({
      ...LIVE,
      webhookId: id,
      firstSeenAt: '2026-04-01T10:00:00.000Z',
      updatedAt: '2026-04-01T10:00:00.000Z',
      buyerRole: 'A role',
    });
    expect(Object.keys(read)).toEqual(Object.keys(TICKET_ROW_COLUMNS));
  });
});
