import type { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/support/db';
import { ticketBody } from '../../test/support/webhooks';
import { checkPayload } from '../src/protocol/schema';
import type { LiveEvent } from '../src/protocol/liveEvent';
import { rebuildTickets } from '../src/relay/relay';
import { loadMigrations, migrate } from '../src/storage/migrate';
import { createPool } from '../src/storage/pool';
import { relayBatch, type RelayClaim } from '../src/relay/projection';

/**
 * The ticket's state follows its history, not arrival order: every order of delivery, relayed one
 * by one, all in one batch, or out of id order, ends in the same state, and a rebuild of the
 * projection reaches it too.
 */

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  await migrate(pool);
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

interface Webhook {
  name: string;
  event: 'ticket_created' | 'ticket_updated';
  /** The signed `t=`, seconds. */
  signedAt: number;
  overrides: Record<string, unknown>;
}

const CREATED: Webhook = {
  name: 'created',
  event: 'ticket_created',
  signedAt: 1_800_000_250,
  overrides: { title: 'Created' },
};
const OLD_UPDATE: Webhook = {
  name: 'old update',
  event: 'ticket_updated',
  signedAt: 1_800_000_150,
  overrides: { title: 'Old update', price: { amount: '20.00', currency: 'CHF' } },
};
const UPDATE: Webhook = {
  name: 'update',
  event: 'ticket_updated',
  signedAt: 1_800_000_200,
  overrides: { title: 'Update', price: { amount: '30.00', currency: 'CHF' } },
};
const CANCEL: Webhook = {
  name: 'cancel',
  event: 'ticket_updated',
  signedAt: 1_800_000_300,
  overrides: {
    title: 'Cancelled',
    cancellationReason: 'event_cancellation',
    price: { amount: '35.00', currency: 'EUR' },
  },
};

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

let ticketSeq = 0;

/** Stores the webhooks as they arrive (ids in arrival order) and returns what the relay gets. */
async function arrive(number: string, webhooks: Webhook[]): Promise<Array<{ webhook: Webhook; input: RelayClaim }>> {
  const arrived = [];
  for (const webhook of webhooks) {
    const payload = JSON.parse(ticketBody(0, { number, ...webhook.overrides })) as Record<string, unknown>;
    payload.event = webhook.event;
    const { rows } = await pool.query<{ id: string; body_sha256: string }>(
      `INSERT INTO webhook_event (event_type, body_sha256, signature_timestamp, payload, published_at)
       VALUES ($1, md5($2) || md5($2 || 'x'), to_timestamp($3), $4, now()) RETURNING id, body_sha256`,
      [webhook.event, `${number}/${webhook.name}`, webhook.signedAt, JSON.stringify(payload)],
    );
    if (checkPayload(payload).kind !== 'ticket') throw new Error(`test payload is not a valid ticket event`);
    arrived.push({ webhook, input: { id: Number(rows[0].id), bodySha256: rows[0].body_sha256 } });
  }
  return arrived;
}

interface State {
  title: string;
  status: string;
  cancellation_reason: string;
  price: string;
  state_webhook_id: string;
  webhook_id: string;
}

async function stateOf(number: string): Promise<State> {
  const { rows } = await pool.query<State>(
    `SELECT title, status, cancellation_reason, price_amount::text || ' ' || price_currency AS price, state_webhook_id, webhook_id
       FROM ticket WHERE number = $1`,
    [number],
  );
  return rows[0];
}

const MODES = {
  'one by one in arrival order': (inputs: RelayClaim[]) => inputs.map((i) => [i]),
  'in one batch': (inputs: RelayClaim[]) => [inputs],
  'one by one in reverse order': (inputs: RelayClaim[]) => [...inputs].reverse().map((i) => [i]),
};

const orders = permutations([CREATED, OLD_UPDATE, UPDATE, CANCEL]);

describe.each(Object.entries(MODES))('relayed %s', (_mode, batches) => {
  it.each(orders.map((order) => [order.map((w) => w.name).join(' → '), order] as const))(
    '%s ends cancelled by the newest update',
    async (_name, order) => {
      ticketSeq += 1;
      const number = `ORDER${ticketSeq}`;
      const arrived = await arrive(number, order);
      let lastLive: LiveEvent | undefined;
      for (const batch of batches(arrived.map((a) => a.input))) {
        const relayed = await relayBatch(pool, batch, new Date());
        const last = relayed.relayed.get(batch[batch.length - 1].id)?.event;
        lastLive = last && (JSON.parse(last.json) as LiveEvent);
      }
      const idOf = (w: Webhook) => String(arrived.find((a) => a.webhook === w)!.input.id);
      expect(await stateOf(number)).toEqual({
        title: 'Cancelled',
        status: 'cancelled',
        cancellation_reason: 'event_cancellation',
        price: '35.00 EUR',
        state_webhook_id: idOf(CANCEL),
        webhook_id: String(Math.max(...arrived.map((a) => a.input.id))),
      });
      // The live event carries the ticket's state after it, whichever webhook it was.
      expect(lastLive?.ticket).toMatchObject({
        title: 'Cancelled',
        status: 'cancelled',
        price: { amount: '35.00', currency: 'EUR' },
      });
    },
  );
});

describe('the rule', () => {
  it('an update arriving before its creation creates the ticket; the creation then changes nothing', async () => {
    const [update, created] = await arrive('EARLYUPDATE', [UPDATE, CREATED]);
    await relayBatch(pool, [update.input], new Date());
    expect(await stateOf('EARLYUPDATE')).toMatchObject({ title: 'Update', state_webhook_id: String(update.input.id) });
    const relayed = await relayBatch(pool, [created.input], new Date());
    expect(await stateOf('EARLYUPDATE')).toMatchObject({
      title: 'Update',
      state_webhook_id: String(update.input.id),
      webhook_id: String(created.input.id),
    });
    expect(JSON.parse(relayed.relayed.get(created.input.id)?.event.json ?? 'null')).toMatchObject({
      event: 'ticket_created',
      ticket: { title: 'Update' },
    });
  });

  it.each([
    ['cancel first', [CANCEL, { ...CANCEL, name: 'tie', overrides: { title: 'Tie' } }]],
    ['tie first', [{ ...CANCEL, name: 'tie', overrides: { title: 'Tie' } }, CANCEL]],
  ])('breaks a tie of signature times by webhook id (%s)', async (name, order) => {
    const number = `TIE${name.length}`;
    const arrived = await arrive(number, order);
    await relayBatch(pool, [arrived[1].input], new Date());
    await relayBatch(pool, [arrived[0].input], new Date());
    expect(await stateOf(number)).toMatchObject({
      title: order[1].overrides.title,
      state_webhook_id: String(arrived[1].input.id),
    });
  });

  it('a rebuild of the projection from the relayed webhooks reaches the same states', async () => {
    const before = (await pool.query('SELECT * FROM ticket ORDER BY number')).rows;
    expect(before.length).toBeGreaterThan(orders.length * 3);
    await pool.query('UPDATE ticket SET title = $1, status = $2', ['garbage', 'valid']);
    expect(await rebuildTickets(pool)).toBe(before.length);
    expect((await pool.query('SELECT * FROM ticket ORDER BY number')).rows).toEqual(before);
  });
});

describe('migration 004 on a database relayed under 003', () => {
  it('keeps every ticket and takes the state of its current webhook as the state to outrank', async () => {
    const old = await createTestDatabase();
    const oldPool = createPool(old.url);
    try {
      // The schema of migration 003 alone: the current SQL functions need what later ones add.
      await migrate(
        oldPool,
        loadMigrations().filter((m) => m.version <= 3),
        [],
      );
      const payload = JSON.parse(ticketBody(0, { number: 'BEFORE004', ...CANCEL.overrides })) as Record<
        string,
        unknown
      >;
      payload.event = 'ticket_updated';
      const { rows } = await oldPool.query<{ id: string; received_at: Date }>(
        `INSERT INTO webhook_event (event_type, body_sha256, signature_timestamp, payload) VALUES ('ticket_updated', md5('b4') || md5('b4x'), to_timestamp($1), $2)
         RETURNING id, received_at`,
        [CANCEL.signedAt, JSON.stringify(payload)],
      );
      const check = checkPayload(payload);
      if (check.kind !== 'ticket') throw new Error(check.kind);
      // Relayed as 003's relay_batch took a batch then: jsonb, the live event nested.
      const { ticket, buyer } = check.payload.details;
      const live = {
        id: Number(rows[0].id),
        receivedAt: rows[0].received_at.toISOString(),
        event: check.event,
        ticket: {
          number: ticket.number,
          title: ticket.title,
          event: ticket.event,
          eventId: ticket.eventId,
          category: ticket.category,
          type: ticket.type,
          price: ticket.price,
          sessionDate: ticket.sessions[0]?.date ?? null,
          city: ticket.sessions[0]?.location?.city ?? null,
          venue: ticket.sessions[0]?.location?.name ?? null,
          cancellationReason: ticket.cancellationReason ?? '',
          status: ticket.cancellationReason ? 'cancelled' : 'valid',
        },
      };
      await oldPool.query('SELECT * FROM relay_batch($1::jsonb, $2)', [
        JSON.stringify([{ id: live.id, buyerRole: buyer.role, live }]),
        new Date().toISOString(),
      ]);

      await migrate(oldPool);
      const { rows: tickets } = await oldPool.query<{
        status: string;
        state_webhook_id: string;
        state_event: string;
        signed: string;
      }>(
        "SELECT status, state_webhook_id, state_event, extract(epoch FROM state_signed_at)::bigint::text AS signed FROM ticket WHERE number = 'BEFORE004'",
      );
      expect(tickets).toEqual([
        {
          status: 'cancelled',
          state_webhook_id: rows[0].id,
          state_event: 'ticket_updated',
          signed: String(CANCEL.signedAt),
        },
      ]);
    } finally {
      await oldPool.end();
      await old.drop();
    }
  });
});
