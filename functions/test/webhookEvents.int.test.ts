import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import { createMigratedDatabase, type MigratedDatabase } from '../../test/support/db';
import { ticketBody } from '../../test/support/webhooks';
import { insertWebhookEvents, type NewWebhookEvent } from '../src/storage/webhookEvents';

/** The group-commit insert: one prepared statement whatever the batch size, results in input order. */

let m: MigratedDatabase;
let one: Pool;
let serial = 0;

beforeAll(async () => {
  m = await createMigratedDatabase();
  // One connection, so that every insert below runs where pg_prepared_statements is read.
  one = new Pool({ connectionString: m.db.url, max: 1 });
});

afterAll(async () => {
  await one.end();
  await m.close();
});

function events(count: number): NewWebhookEvent[] {
  return Array.from({ length: count }, () => {
    serial += 1;
    const body = ticketBody(serial);
    return {
      eventType: 'ticket_created',
      bodySha256: createHash('sha256').update(body).digest('hex'),
      signatureTimestamp: new Date(),
      payloadJson: body,
    };
  });
}

describe('insertWebhookEvents', () => {
  it('runs batches of every size through one statement prepared once on the connection', async () => {
    for (const size of [1, 2, 7, 31]) await insertWebhookEvents(one, events(size));
    const { rows } = await one.query<{ name: string; generic_plans: string; custom_plans: string }>(
      'SELECT name, generic_plans, custom_plans FROM pg_prepared_statements',
    );
    expect(rows.map((r) => r.name)).toEqual(['petzi_insert_webhook_events']);
    expect(Number(rows[0].generic_plans) + Number(rows[0].custom_plans)).toBe(4);
  });

  it('answers in input order, numbers new rows in input order and resolves repeats to the first row', async () => {
    const batch = events(5);
    const [again] = await insertWebhookEvents(one, batch.slice(2, 3));
    const refs = await insertWebhookEvents(one, [...batch, batch[0]]);
    expect(refs.map((r) => r.inserted)).toEqual([true, true, false, true, true, false]);
    expect(refs[2].id).toBe(again.id);
    expect(refs[5].id).toBe(refs[0].id);
    const fresh = [refs[0], refs[1], refs[3], refs[4]].map((r) => r.id);
    expect(fresh).toEqual([...fresh].sort((a, b) => a - b));
    const { rows } = await one.query<{ id: string; payload: unknown; signature_timestamp: Date }>(
      'SELECT id, payload, signature_timestamp FROM webhook_event WHERE id = ANY($1) ORDER BY id',
      [fresh],
    );
    expect(rows.map((r) => r.payload)).toEqual([0, 1, 3, 4].map((i) => JSON.parse(batch[i].payloadJson) as unknown));
    expect(rows.map((r) => r.signature_timestamp.toISOString())).toEqual(
      [0, 1, 3, 4].map((i) => batch[i].signatureTimestamp.toISOString()),
    );
  });
});
