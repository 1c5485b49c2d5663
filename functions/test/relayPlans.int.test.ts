import type { Pool, PoolClient } from 'pg';
import { createMigratedDatabase, type MigratedDatabase } from '../../test/support/db';
import { ticketBody } from '../../test/support/webhooks';
import { relayBatch, type RelayClaim } from '../src/relay/projection';
import { storedRelayClaims } from '../../tools/bench/relay-sql-bench';

/**
 * relay_batch's reads of live_event and webhook_event stay index probes, one per webhook of the
 * batch, whatever the tables held when a connection first planned them. A connection keeps its
 * plans; one that started on empty tables (a new install, npm start, every bench) and chose to hash
 * the batch and scan the table kept scanning it, every call, as it grew.
 */

let m: MigratedDatabase;
let client: PoolClient;
let serial = 0;

beforeAll(async () => {
  m = await createMigratedDatabase();
  client = await m.pool.connect();
});

afterAll(async () => {
  client.release();
  await m.close();
});

function stored(count: number): Promise<RelayClaim[]> {
  return storedRelayClaims(
    m.pool,
    Array.from({ length: count }, () => {
      serial += 1;
      return ticketBody(serial);
    }),
  );
}

/** The plans of every statement a relay_batch call ran on this connection, as auto_explain logs them. */
async function plansOf(run: () => Promise<unknown>): Promise<string[]> {
  const plans: string[] = [];
  const listener = (notice: { message?: string }) => plans.push(notice.message ?? '');
  await client.query("LOAD 'auto_explain'");
  await client.query('SET auto_explain.log_min_duration = 0');
  await client.query('SET auto_explain.log_nested_statements = on');
  await client.query('SET client_min_messages = log');
  client.on('notice', listener);
  try {
    await run();
  } finally {
    client.off('notice', listener);
    await client.query('RESET client_min_messages');
    await client.query('RESET auto_explain.log_min_duration');
  }
  return plans;
}

describe('relay_batch plans', () => {
  it('probes live_event and webhook_event by index after the tables grew under plans made when they were empty', async () => {
    const onClient = { query: client.query.bind(client) } as unknown as Pool;
    // The first calls plan (and, past the fifth, settle on the generic plan) on near-empty tables.
    for (let i = 0; i < 6; i += 1) await relayBatch(onClient, await stored(1), new Date());
    // Grown well past where a scan looks cheap to a planner that thinks the tables are small.
    const grown = await stored(3000);
    for (let i = 0; i < grown.length; i += 500) await relayBatch(onClient, grown.slice(i, i + 500), new Date());

    const fresh = await stored(20);
    const plans = await plansOf(async () => {
      await relayBatch(onClient, fresh, new Date());
      // A redelivery of the same batch: every webhook found in live_event.
      await relayBatch(onClient, fresh, new Date());
    });

    const text = plans.join('\n');
    expect(text).toContain('relay_batch');
    expect(text).toMatch(/Index (Only )?Scan using live_event_pkey/);
    expect(text).toMatch(/Index Scan using webhook_event_pkey/);
    expect(text.match(/Seq Scan on (live_event|webhook_event|ticket)\b.*/g) ?? []).toEqual([]);
  });
});
