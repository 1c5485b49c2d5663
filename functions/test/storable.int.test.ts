import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/support/db';
import { ticketBody } from '../../test/support/webhooks';
import { checkPayload } from '../src/protocol/schema';
import { COLUMN_RULES, INT4_MAX, INT4_MIN, TICKET_COLUMNS, type ColumnKind } from '../src/protocol/storable';
import { unstorableJsonProblems } from '../src/protocol/storableJson';
import { migrate } from '../src/storage/migrate';
import { createPool } from '../src/storage/pool';

/**
 * The storable rules against the columns of a migrated database: each projected column has the
 * type its rule is written for, and at each rule's boundary the schema and Postgres agree (the
 * last value the schema accepts is stored, the first it refuses is refused by Postgres too).
 */

let db: TestDatabase;
let client: Client;

beforeAll(async () => {
  db = await createTestDatabase();
  const pool = createPool(db.url);
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  client = new Client({ connectionString: db.url });
  await client.connect();
  // The ticket table's own column types, without its constraints, to store single values in.
  await client.query('CREATE TEMP TABLE probe AS SELECT * FROM ticket WITH NO DATA');
});

afterAll(async () => {
  await client.end();
  await db.drop();
});

/** Columns the pipeline fills itself, never from the payload. */
const PIPELINE_COLUMNS = [
  'webhook_id',
  'first_seen_at',
  'updated_at',
  'status',
  'state_webhook_id',
  'state_event',
  'state_signed_at',
];

interface Boundary {
  /** The schema accepts them and Postgres stores them. */
  accepted: unknown[];
  /** The schema refuses them and Postgres refuses them too. */
  refused: unknown[];
  /** The schema refuses them where Postgres would silently change them (round, pad). */
  stricter?: unknown[];
}

const BOUNDARIES: Record<ColumnKind, Boundary> = {
  integer: { accepted: [INT4_MAX, INT4_MIN, 0], refused: [INT4_MAX + 1, INT4_MIN - 1, 1.5] },
  'numeric(12,2)': {
    accepted: ['9999999999.99', '-9999999999.99', '0000000000009999999999.99', '0.01', '12'],
    refused: ['10000000000', '-10000000000.00', '99999999999.99'],
    stricter: ['9999999999.999', '1.234', '1e3'],
  },
  date: {
    accepted: ['2024-02-29', '2026-02-28', '0001-01-01', '9999-12-31', '2026-04-30'],
    refused: ['2026-02-30', '2026-02-29', '1900-02-29', '0000-12-31', '2026-13-01', '2026-04-31', '2026-00-01'],
  },
  'character(3)': { accepted: ['CHF', 'EUR'], refused: ['CHFX'], stricter: ['ch', 'chf', 'C F'] },
  text: { accepted: ['x'.repeat(100_000), 'é😀', ''], refused: ['a\u0000b', '\ud800', 'x\udc00y', '\udfff\ud800'] },
};

async function storedByPostgres(column: string, value: unknown): Promise<boolean> {
  try {
    // The value travels as relay_batch's does: a JSON value read into its relay_input attribute, then stored.
    await client.query(
      `INSERT INTO probe (${column}) SELECT (json_populate_record(NULL::relay_input, json_build_object($2::text, ($1::json)->0))).${column}`,
      [JSON.stringify([value]), column],
    );
    return true;
  } catch {
    return false;
  }
}

describe('the ticket columns and the storable rules', () => {
  it('each projected column has the type of its rule, and every other column is the pipeline own', async () => {
    const { rows } = await client.query<{ name: string; type: string }>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = 'ticket'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    );
    const types = Object.fromEntries(rows.map((r) => [r.name, r.type]));
    for (const [column, { kind }] of Object.entries(TICKET_COLUMNS))
      expect({ column, type: types[column] }).toEqual({ column, type: kind });
    const unruled = rows
      .map((r) => r.name)
      .filter((name) => !(name in TICKET_COLUMNS) && !PIPELINE_COLUMNS.includes(name));
    expect(unruled).toEqual([]);
  });

  const cases = Object.entries(TICKET_COLUMNS).flatMap(([column, { kind }]) => {
    const boundary = BOUNDARIES[kind];
    return [
      ...boundary.accepted.map((value) => [column, kind, 'accepted', value] as const),
      ...boundary.refused.map((value) => [column, kind, 'refused', value] as const),
    ];
  });

  it.each(cases)(
    '%s (%s): a value the schema %s is stored alike by Postgres: %j',
    async (column, kind, verdict, value) => {
      expect(COLUMN_RULES[kind].safeParse(value).success).toBe(verdict === 'accepted');
      expect(await storedByPostgres(column, value)).toBe(verdict === 'accepted');
    },
  );

  it.each(Object.entries(BOUNDARIES).flatMap(([kind, b]) => (b.stricter ?? []).map((value) => [kind, value] as const)))(
    '%s: the schema refuses %j, which Postgres would store altered',
    (kind, value) => {
      expect(COLUMN_RULES[kind as ColumnKind].safeParse(value).success).toBe(false);
    },
  );

  it.each(Object.entries(TICKET_COLUMNS).map(([column, { field }]) => [column, field] as const))(
    'the schema checks %s at %s with its rule',
    (_column, field) => {
      const [value] = BOUNDARIES[TICKET_COLUMNS[_column as keyof typeof TICKET_COLUMNS].kind].refused;
      const body = JSON.parse(ticketBody(1)) as Record<string, unknown>;
      const path = field.replace('.N.', '.0.').split('.');
      let at = body as Record<string, unknown>;
      for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
      at[path[path.length - 1]] = value;
      const result = checkPayload(body);
      expect(result.kind).toBe('invalid');
      if (result.kind === 'invalid') expect(result.problems.map((p) => p.path)).toContain(path.join('.'));
    },
  );
});

describe('jsonb and the raw-body check', () => {
  async function jsonbStores(text: string): Promise<boolean> {
    try {
      await client.query('SELECT $1::jsonb', [text]);
      return true;
    } catch {
      return false;
    }
  }

  it.each([
    ['1e131071', true],
    ['9.99e131071', true],
    ['1e-16383', true],
    ['0e131072', true],
    [`0.${'5'.repeat(16383)}`, true],
    ['1e131072', false],
    ['1e-16384', false],
    ['100e-16385', false],
    ['0e-16384', false],
    [`0.${'5'.repeat(16384)}`, false],
    ['"\\u0000"', false],
    ['"\\ud800"', false],
    ['"\\udc00\\ud800"', false],
    ['"\\ud83d\\ude00"', true],
    ['{"\\u0000":1}', false],
  ])('%s: jsonb stores it = %s, and the check agrees', async (value, stores) => {
    const text = `{"v":[${value}]}`;
    expect(await jsonbStores(text)).toBe(stores);
    expect(unstorableJsonProblems(text).length === 0).toBe(stores);
  });
});
