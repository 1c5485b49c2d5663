import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { migrate, listTickets, type TicketCursor, type TicketFilter, type TicketSort } from '../../functions/src';
import { ROOT, dropDatabase, freshDatabase, median } from './support';

const HELP = `Usage: npm run bench:ticket-queries [-- --rows 1000000]

The box office's questions to GET /api/tickets at scale: a scratch database with --rows tickets
(generated in SQL: 400 events, 6 categories, 3% cancelled, sales over 30 days), then each filter
and sort of the API, through the API's own query code (listTickets), five times each. Prints and
writes bench-results/ticket-queries.json: the median time of each, and the plan's top node from
EXPLAIN (ANALYZE), to show which index answers it.`;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const CASES: Array<{ name: string; filter?: TicketFilter; sort?: TicketSort; cursor?: TicketCursor }> = [
  { name: 'newest first (default)' },
  { name: 'newest first, page 2000 deep (cursor)', cursor: { sort: 'updated', webhookId: 900_000 } },
  { name: 'event', filter: { eventId: 123 } },
  { name: 'category', filter: { category: 'VIP' } },
  { name: 'status cancelled', filter: { status: 'cancelled' } },
  { name: 'q: ticket number piece', filter: { q: 'K7Q2' } },
  { name: 'q: title word', filter: { q: 'Jazz' } },
  { name: 'q: rare, no match', filter: { q: 'zzzzqqq' } },
  { name: 'sold today', filter: { from: new Date(Date.now() - 86_400_000), to: new Date() } },
  { name: 'sort by sale time, oldest first', sort: 'sold' },
  {
    name: 'sort by sale time, newest first, after a cursor',
    sort: '-sold',
    cursor: { sort: '-sold', key: new Date(Date.now() - 10 * 86_400_000).toISOString(), number: 'M' },
  },
  { name: 'sort by price, highest first', sort: '-price' },
  { name: 'sort by ticket number', sort: 'number' },
  {
    name: 'event + status + sold today',
    filter: { eventId: 42, status: 'valid', from: new Date(Date.now() - 86_400_000) },
  },
];

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(HELP);
    return;
  }
  const rows = Number(arg('--rows', '1000000'));
  if (!Number.isInteger(rows) || rows < 1) throw new Error('--rows must be a positive integer');
  const name = `petzi_ticket_queries_${process.pid}`;
  const url = await freshDatabase(name);
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    await migrate(pool);
    // The projection alone is measured: its references to webhook_event are dropped in this scratch
    // database, rather than writing a million raw webhooks no query here reads.
    await pool.query(
      'ALTER TABLE ticket DROP CONSTRAINT ticket_webhook_id_fkey, DROP CONSTRAINT ticket_state_webhook_id_fkey',
    );
    console.log(`generating ${rows} tickets`);
    await pool.query(
      `INSERT INTO ticket (number, webhook_id, first_seen_at, updated_at, title, event, event_id, category, type, price_amount, price_currency,
                           session_date, city, venue, cancellation_reason, status, buyer_role, state_webhook_id, state_event, state_signed_at)
       SELECT upper(substr(md5(i::text), 1, 12)), i, now() - (($1 - i) * interval '30 days' / $1), now() - (($1 - i) * interval '30 days' / $1),
              (ARRAY['Jazz Night','Rock Evening','Electro Party','Folk Session','Hip-Hop Live','Classical Matinee'])[1 + i % 6],
              'Artist ' || (i % 400) / 3, i % 400, (ARRAY['Prévente','Membre','VIP','Caisse du soir','Étudiant','Invitation'])[1 + (i / 7) % 6],
              'online_presale', (10 + (i % 60))::numeric, 'CHF', current_date + (i % 400), 'Neuchâtel', 'Venue ' || (i % 400) % 17,
              CASE WHEN i % 33 = 0 THEN 'order_mistake' ELSE '' END, CASE WHEN i % 33 = 0 THEN 'cancelled' ELSE 'valid' END, 'customer',
              -- Each ticket's state is its one creation (ticket_apply's rule needs where it came from).
              i, 'ticket_created', now() - (($1 - i) * interval '30 days' / $1)
         FROM generate_series(1, $1) AS i`,
      [rows],
    );
    await pool.query('ANALYZE ticket');
    const results: Array<{ name: string; medianMs: number; rows: number; plan: string }> = [];
    for (const c of CASES) {
      const times: number[] = [];
      let found = 0;
      for (let i = 0; i < 5; i += 1) {
        const started = process.hrtime.bigint();
        found = (await listTickets(pool, { limit: 101, filter: c.filter, sort: c.sort, cursor: c.cursor })).length;
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      // The plan of the very statement listTickets sends.
      const plan = await explain(pool, c);
      results.push({ name: c.name, medianMs: Math.round(median(times) * 10) / 10, rows: found, plan });
      console.log(
        `${c.name.padEnd(52)} ${String(Math.round(median(times) * 10) / 10).padStart(8)} ms  ${String(found).padStart(4)} rows  ${plan}`,
      );
    }
    mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
    writeFileSync(
      path.join(ROOT, 'bench-results', 'ticket-queries.json'),
      `${JSON.stringify({ at: new Date().toISOString(), rows, results }, null, 2)}\n`,
    );
  } finally {
    await pool.end();
    await dropDatabase(name);
  }
}

/** EXPLAIN (ANALYZE) of the statement listTickets sends, caught by wrapping pool.query once. */
async function explain(pool: Pool, c: (typeof CASES)[number]): Promise<string> {
  let plan = '';
  const original = pool.query.bind(pool);
  const spy = (async (text: string, params: unknown[]) => {
    const { rows } = await original<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, FORMAT TEXT) ${text}`, params);
    const lines = rows.map((r) => r['QUERY PLAN']);
    const scans = lines
      .filter((l) => /Scan|Sort/.test(l))
      .map((l) =>
        l
          .trim()
          .replace(/\s+\(cost.*$/, '')
          .replace(/^->\s*/, ''),
      );
    plan = `${scans.slice(0, 3).join(' > ')} | ${lines.find((l) => l.startsWith('Execution Time')) ?? ''}`;
    return { rows: [] };
  }) as unknown as Pool['query'];
  (pool as unknown as { query: Pool['query'] }).query = spy;
  try {
    await listTickets(pool, { limit: 101, filter: c.filter, sort: c.sort, cursor: c.cursor });
  } finally {
    (pool as unknown as { query: Pool['query'] }).query = original as Pool['query'];
  }
  return plan;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
