import { withoutBuyer } from '../src/read-api/buyerErasure';

/** The buyer taken out of a petzi.webhooks message, as erasure does to the dead-letter queue. */

const BUYER = {
  role: 'customer',
  firstName: 'Zéphyrine',
  lastName: 'Quaglioni',
  email: 'zq@example.ch',
  postcode: '9876',
};
const message = (id: number, number: string, buyer: unknown = BUYER) => ({
  id,
  receivedAt: '2026-11-27T20:00:00.000Z',
  event: 'ticket_created',
  bodySha256: 'ab'.repeat(32),
  payload: { event: 'ticket_created', details: { ticket: { number, title: 'T' }, buyer } },
});
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));
const parsed = (content: Buffer | undefined) =>
  content === undefined ? undefined : (JSON.parse(content.toString('utf8')) as ReturnType<typeof message>);

describe('withoutBuyer', () => {
  it('blanks the buyer of a message of the ticket to its role, keeping id, hash and the rest', () => {
    const out = parsed(withoutBuyer(bytes(message(7, 'T1')), 'T1', new Set()));
    expect(out).toEqual({
      ...message(7, 'T1'),
      payload: {
        event: 'ticket_created',
        details: { ticket: { number: 'T1', title: 'T' }, buyer: { role: 'customer', erased: true } },
      },
    });
  });

  it("finds a message of the ticket by the webhook it names too, whatever its payload's ticket says", () => {
    expect(parsed(withoutBuyer(bytes(message(7, 'OTHER')), 'T1', new Set([7])))?.payload.details.buyer).toEqual({
      role: 'customer',
      erased: true,
    });
  });

  it('leaves other tickets, blanked buyers, and what it cannot read', () => {
    const none = new Set<number>();
    expect(withoutBuyer(bytes(message(7, 'T2')), 'T1', none)).toBeUndefined();
    const once = withoutBuyer(bytes(message(7, 'T1')), 'T1', none);
    expect(once).toBeDefined();
    // Its own output needs nothing more: a second pass over the queue changes nothing.
    expect(withoutBuyer(once as Buffer, 'T1', none)).toBeUndefined();
    expect(withoutBuyer(bytes(message(7, 'T1', { role: 'customer' })), 'T1', none)).toBeUndefined();
    for (const content of ['not json', '[1,2]', '{"id":7}', '{"id":7,"payload":"x"}', '{"payload":{"details":null}}']) {
      expect(withoutBuyer(Buffer.from(content), 'T1', new Set([7]))).toBeUndefined();
    }
  });

  it('blanks a buyer that is not an object, with no role', () => {
    expect(
      parsed(withoutBuyer(bytes(message(7, 'T1', 'Zéphyrine Quaglioni')), 'T1', new Set()))?.payload.details.buyer,
    ).toEqual({ role: null, erased: true });
  });
});
