import { createHash } from 'node:crypto';
import { createMigratedDatabase, type MigratedDatabase } from '../../test/support/db';
import { sampleBodies, ticketBody } from '../../test/support/webhooks';
import { PayloadGenerator } from '../../simulator/src/payloads';
import { checkPayload, type TicketPayload } from '../src/protocol/schema';
import type { LiveTicket } from '../src/protocol/ticket';

/**
 * The relay projects the stored payload, read in SQL (relay_input_of, functions/src/relay/sql/relay_input.sql).
 * That reading must be the schema's: for every body the door accepts as a ticket event, the columns
 * relay_input_of gives are the live ticket protocol/ticket.ts describes, field for field.
 */

let m: MigratedDatabase;
beforeAll(async () => (m = await createMigratedDatabase()));
afterAll(() => m.close());

/** The live ticket of a checked payload, as protocol/ticket.ts defines each field. */
function liveTicketOf(payload: TicketPayload): LiveTicket {
  const { ticket } = payload.details;
  const session = ticket.sessions[0];
  const cancellationReason = ticket.cancellationReason ?? '';
  return {
    number: ticket.number,
    title: ticket.title,
    event: ticket.event,
    eventId: ticket.eventId,
    category: ticket.category,
    type: ticket.type,
    price: { amount: ticket.price.amount, currency: ticket.price.currency },
    sessionDate: session?.date ?? null,
    city: session?.location?.city ?? null,
    venue: session?.location?.name ?? null,
    cancellationReason,
    status: cancellationReason === '' ? 'valid' : 'cancelled',
  };
}

interface Read {
  live: LiveTicket;
  buyer_role: string | null;
  kind: string;
  received_at: string;
  /** The row's received_at as node-postgres reads it: what an outbox or redrive message carries (toISOString). */
  stored_at: Date;
}

/**
 * Stores each raw body as the door does (Postgres parses the text into jsonb) and reads it back through relay_input_of.
 */
async function readBack(bodies: string[]): Promise<Read[]> {
  const { rows } = await m.pool.query<Read>(
    `WITH stored AS (
         -- Received at times with every microsecond different, as rows stored one by one would be.
         INSERT INTO webhook_event (received_at, event_type, body_sha256, signature_timestamp, payload)
         SELECT now() - random() * interval '1000 days', b.body::jsonb ->> 'event', b.sha, now(), b.body::jsonb
           FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS b (body, sha, n)
         ORDER BY b.n RETURNING *
     )
     SELECT ticket_live(jsonb_populate_record(NULL::ticket, to_jsonb(r))) AS live, r.buyer_role, r.kind, r.received_at,
            s.received_at AS stored_at
       FROM stored s CROSS JOIN LATERAL relay_input_of(s.id, s.received_at, s.event_type, s.signature_timestamp, s.payload) AS r ORDER BY s.id`,
    [bodies, bodies.map((b) => createHash('sha256').update(`${b}${Math.random()}`).digest('hex'))],
  );
  return rows;
}

/** The body text with a field's JSON text replaced, to write numbers the way a sender may (54694.0, 5.4694e4). */
const withRaw = (body: string, from: string, to: string): string => {
  if (!body.includes(from)) throw new Error(`${from} not in the body`);
  return body.replace(from, to);
};

const ticket = (n: number, overrides: Record<string, unknown> = {}) => ticketBody(n, overrides);

describe('relay_input_of', () => {
  const generator = new PayloadGenerator({ seed: 2718, mode: 'mixed', baseDate: '2026-11-01' });
  const bodies: Array<[string, string]> = [
    ...sampleBodies().map(({ name, body }): [string, string] => [name, body.toString('utf8')]),
    ...Array.from({ length: 300 }, (_, i): [string, string] => [`simulator body ${i}`, generator.next().body]),
    ['no session', ticket(1, { sessions: [] })],
    [
      'a session without location',
      ticket(2, { sessions: [{ name: 'n', date: '2026-05-01', time: null, doors: null }] }),
    ],
    [
      'a null location',
      ticket(3, { sessions: [{ name: 'n', date: '2026-05-01', time: null, doors: null, location: null }] }),
    ],
    [
      'a location with null names',
      ticket(4, { sessions: [{ name: 'n', date: '2026-05-01', location: { name: null, city: null } }] }),
    ],
    ['a null cancellation reason', ticket(5, { cancellationReason: null })],
    ['no cancellation reason', ticket(6, { cancellationReason: undefined })],
    ['a cancellation', ticket(7, { cancellationReason: 'stolen' })],
    ['an eventId written 54694.0', withRaw(ticket(8, { eventId: 54694 }), '"eventId":54694', '"eventId":54694.0')],
    ['an eventId written 5.4694e4', withRaw(ticket(9, { eventId: 54694 }), '"eventId":54694', '"eventId":5.4694e4')],
    [
      'escapes and non-ASCII text',
      withRaw(ticket(10, { title: 'T' }), '"title":"T"', '"title":"Caf\\u00e9 \\"Zo\\u00e9\\" \\ud83c\\udfb8 \\/ \\n"'),
    ],
    [
      'a negative price and a far date',
      ticket(11, { price: { amount: '-0.50', currency: 'EUR' }, sessions: [{ name: 'n', date: '9999-12-31' }] }),
    ],
  ];

  it('reads every ticket body the door accepts as the schema does', async () => {
    const reads = await readBack(bodies.map(([, body]) => body));
    const drift = bodies.flatMap(([name, body], i) => {
      const check = checkPayload(JSON.parse(body) as Record<string, unknown>);
      if (check.kind !== 'ticket') return [`${name}: the door would refuse it (${check.kind})`];
      const expected = {
        live: liveTicketOf(check.payload),
        buyer_role: check.payload.details.buyer.role,
        kind: check.event,
      };
      const actual = { live: reads[i].live, buyer_role: reads[i].buyer_role, kind: reads[i].kind };
      return isEqual(actual, expected)
        ? []
        : [`${name}: relay_input_of ${JSON.stringify(actual)}, the schema ${JSON.stringify(expected)}`];
    });
    expect(drift).toEqual([]);
    expect(reads).toHaveLength(bodies.length);
  });

  it('gives received_at as the messages carried it: the stored time as Date.toISOString writes it', async () => {
    // Stored times have microseconds (now()): the millisecond must be the one node-postgres keeps.
    const reads = await readBack(Array.from({ length: 50 }, (_, i) => ticket(20 + i)));
    expect(
      reads
        .filter((r) => r.received_at !== r.stored_at.toISOString())
        .map((r) => [r.received_at, r.stored_at.toISOString()]),
    ).toEqual([]);
    expect(reads[0].received_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});

function isEqual(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}
