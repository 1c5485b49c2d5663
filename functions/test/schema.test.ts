import { checkPayload } from '../src/protocol/schema';
import { sampleBodies, ticketBody } from '../../test/support/webhooks';

const parse = (text: string | Buffer) => JSON.parse(text.toString()) as Record<string, unknown>;

describe('checkPayload', () => {
  it.each(sampleBodies().map((s) => [s.name, s.body] as const))('accepts the real sender sample %s', (_name, body) => {
    const result = checkPayload(parse(body));
    expect(result.kind).toBe('ticket');
  });

  it('keeps UTF-8 names and extra fields', () => {
    const result = checkPayload(parse(sampleBodies().find((s) => s.name.includes('compact'))!.body));
    if (result.kind !== 'ticket') throw new Error(result.kind);
    expect(result.payload.details.ticket.category).toBe('Prévente');
    expect(result.payload.details.ticket.generatedAt).toBe('2026-11-20T18:42:07.123456+00:00');
  });

  it('accepts ticket types and buyer roles outside the documented lists', () => {
    const body = parse(ticketBody(1, { type: 'box_office_special' }));
    (body.details as { buyer: { role: string } }).buyer.role = 'partner';
    expect(checkPayload(body).kind).toBe('ticket');
  });

  it('classifies an unknown event as unknown, not invalid', () => {
    expect(checkPayload({ event: 'ticket_scanned', details: {} })).toMatchObject({
      kind: 'unknown',
      event: 'ticket_scanned',
    });
  });

  it.each([
    ['missing event', { details: {} }, 'event'],
    ['non-string event', { event: 5 }, 'event'],
    ['event with spaces', { event: 'ticket created' }, 'event'],
  ])('rejects %s', (_name, body, path) => {
    const result = checkPayload(body as Record<string, unknown>);
    expect(result.kind).toBe('invalid');
    if (result.kind === 'invalid') expect(result.problems.map((p) => p.path)).toContain(path);
  });

  it.each([
    ['a price without decimals as number', { price: { amount: 25, currency: 'CHF' } }, 'details.ticket.price.amount'],
    ['a lowercase currency', { price: { amount: '25.00', currency: 'chf' } }, 'details.ticket.price.currency'],
    ['a string eventId', { eventId: '54694' }, 'details.ticket.eventId'],
    ['an empty ticket number', { number: '' }, 'details.ticket.number'],
    ['sessions not an array', { sessions: {} }, 'details.ticket.sessions'],
    [
      'a bad session date',
      { sessions: [{ name: 'x', date: '12.12.2026', time: null, doors: null }] },
      'details.ticket.sessions.0.date',
    ],
  ])('names the field for %s', (_name, overrides, path) => {
    const result = checkPayload(parse(ticketBody(2, overrides)));
    expect(result.kind).toBe('invalid');
    if (result.kind === 'invalid') expect(result.problems.map((p) => p.path)).toContain(path);
  });

  it('names every missing required field of a known event', () => {
    const result = checkPayload({ event: 'ticket_created', details: { ticket: {}, buyer: {} } });
    if (result.kind !== 'invalid') throw new Error(result.kind);
    const paths = result.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'details.ticket.number',
        'details.ticket.eventId',
        'details.ticket.price',
        'details.buyer.role',
      ]),
    );
  });
});
