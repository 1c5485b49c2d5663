import fc from 'fast-check';
import { checkPayload, isJsonObject } from '../../functions/src';
import { EVENT_MODES, PayloadGenerator, todayUtc, type EventMode, type GeneratedBody } from '../src/payloads';
import { MAX_SEED } from '../src/random';
import { CANCELLATION_REASONS } from '../src/swissData';

const BASE_DATE = '2027-03-14';

function generate(seed: number, mode: EventMode, count: number, baseDate = BASE_DATE): GeneratedBody[] {
  const generator = new PayloadGenerator({ seed, mode, baseDate });
  return Array.from({ length: count }, () => generator.next());
}

function parse(body: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(body);
  if (!isJsonObject(parsed)) throw new Error('not an object');
  return parsed;
}

interface Shape {
  event: string;
  details: {
    ticket: {
      number: string;
      cancellationReason: string;
      sessions: Array<{ date: string; location: { city: string; postcode: string } }>;
      price: { amount: string; currency: string };
    };
    buyer: { role: string; firstName: string | null };
  };
}

const seeds = fc.integer({ min: 0, max: MAX_SEED });
const modes = fc.constantFrom(...EVENT_MODES);

describe('PayloadGenerator', () => {
  test('every seed, in every mode, yields payloads the webhook schema accepts as tickets', () => {
    fc.assert(
      fc.property(seeds, modes, (seed, mode) => {
        for (const generated of generate(seed, mode, 40)) {
          const check = checkPayload(parse(generated.body));
          expect(check).toMatchObject({ kind: 'ticket', event: generated.event });
        }
      }),
      { numRuns: 150 },
    );
  });

  test('the same seed and date give the same bytes; another seed gives others', () => {
    fc.assert(
      fc.property(seeds, modes, (seed, mode) => {
        const first = generate(seed, mode, 25);
        expect(generate(seed, mode, 25)).toEqual(first);
        expect(generate((seed + 1) % (MAX_SEED + 1), mode, 25).map((g) => g.body)).not.toEqual(
          first.map((g) => g.body),
        );
      }),
      { numRuns: 50 },
    );
  });

  test('ticket numbers are unique within a run and sessions fall after the base date', () => {
    const bodies = generate(12345, 'ticket_created', 2000).map((g) => parse(g.body) as unknown as Shape);
    expect(new Set(bodies.map((b) => b.details.ticket.number)).size).toBe(bodies.length);
    for (const body of bodies) {
      for (const session of body.details.ticket.sessions) expect(session.date > BASE_DATE).toBe(true);
    }
  });

  test('realistic values: CHF with two decimals, Swiss postcodes, accented names, buyer roles', () => {
    const bodies = generate(2024, 'ticket_created', 500).map((g) => parse(g.body) as unknown as Shape);
    for (const body of bodies) {
      expect(body.details.ticket.price.currency).toBe('CHF');
      expect(body.details.ticket.price.amount).toMatch(/^\d+\.\d{2}$/);
      expect(body.details.ticket.sessions[0]?.location.postcode).toMatch(/^[1-9]\d{3}$/);
    }
    const names = bodies.map((b) => b.details.buyer.firstName ?? '').join(' ');
    expect(names).toMatch(/[éèëïüöäâ]/);
    const roles = new Set(bodies.map((b) => b.details.buyer.role));
    expect([...roles].sort()).toEqual(['customer', 'point_of_sale', 'self_ticket', 'unknown']);
  });

  test('the raw bytes are compact UTF-8, not ASCII-escaped', () => {
    const all = generate(9, 'ticket_created', 200)
      .map((g) => g.body)
      .join('');
    expect(all).not.toContain('\\u00');
    expect(all).toMatch(/[àâéèüöä]/);
  });

  test('mixed: each update refers to a ticket created earlier in the run, once, with a cancellation reason', () => {
    const run = generate(777, 'mixed', 400);
    const createdAt = new Map<string, number>();
    const updated = new Set<string>();
    let updates = 0;
    for (const generated of run) {
      const body = parse(generated.body) as unknown as Shape;
      expect(body.event).toBe(generated.event);
      if (generated.event === 'ticket_created') {
        expect(body.details.ticket.cancellationReason).toBe('');
        expect(generated.dependsOn).toBeUndefined();
        createdAt.set(generated.ticketNumber, generated.index);
      } else {
        updates += 1;
        expect(generated.dependsOn).toBe(createdAt.get(generated.ticketNumber));
        expect(generated.dependsOn).toBeLessThan(generated.index);
        expect(CANCELLATION_REASONS).toContain(body.details.ticket.cancellationReason);
        expect(updated.has(generated.ticketNumber)).toBe(false);
        updated.add(generated.ticketNumber);
      }
    }
    // Roughly the configured share (30 %), and certainly both kinds.
    expect(updates).toBeGreaterThan(run.length * 0.15);
    expect(updates).toBeLessThan(run.length * 0.45);
  });

  test('ticket_updated: updates only, each with a cancellation reason and no dependency in the run', () => {
    for (const generated of generate(31, 'ticket_updated', 50)) {
      const body = parse(generated.body) as unknown as Shape;
      expect(generated.event).toBe('ticket_updated');
      expect(generated.dependsOn).toBeUndefined();
      expect(CANCELLATION_REASONS).toContain(body.details.ticket.cancellationReason);
    }
  });

  test('the base date is part of the input: another day, other bytes', () => {
    expect(generate(5, 'ticket_created', 3, '2027-03-15')).not.toEqual(generate(5, 'ticket_created', 3, '2027-03-14'));
  });

  test('todayUtc gives the UTC calendar day', () => {
    expect(todayUtc(Date.parse('2027-12-31T23:59:59Z'))).toBe('2027-12-31');
    expect(todayUtc(Date.parse('2028-01-01T00:00:00Z'))).toBe('2028-01-01');
  });
});
