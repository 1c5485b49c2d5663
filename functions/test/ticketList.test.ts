import fc from 'fast-check';
import { encodeTicketCursor, ticketListQuery } from '../src/read-api/ticketList';
import { TICKET_SORTS, type TicketCursor } from '../src/read-api/readModels';
import { QueryParamError } from '../src/http/query';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const read = (search: string) => ticketListQuery(new URLSearchParams(search));

function refusedParam(search: string): string | 'accepted' {
  try {
    read(search);
  } catch (error) {
    if (error instanceof QueryParamError) return error.param;
    throw error;
  }
  return 'accepted';
}

describe('ticketListQuery', () => {
  it('reads the defaults, and every filter', () => {
    expect(read('')).toEqual({ format: 'json', sort: 'updated', filter: {}, limit: 50, cursor: undefined });
    expect(
      read(
        'event=1001&category=Membre&status=valid&q=%20night%20&from=2026-11-30T00:00:00%2B01:00&to=2026-12-01T00:00:00Z&limit=5&sort=-price',
      ),
    ).toEqual({
      format: 'json',
      sort: '-price',
      filter: {
        eventId: 1001,
        category: 'Membre',
        status: 'valid',
        q: 'night',
        from: new Date('2026-11-29T23:00:00Z'),
        to: new Date('2026-12-01T00:00:00Z'),
      },
      limit: 5,
      cursor: undefined,
    });
  });

  it('reads back every cursor it gives out, for its own sort', () => {
    const cursors: fc.Arbitrary<TicketCursor> = fc.oneof(
      fc.record({
        sort: fc.constant('updated' as const),
        webhookId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      }),
      fc.record({
        sort: fc.constantFrom('sold' as const, '-sold' as const),
        key: fc
          .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
          .map((d) => d.toISOString()),
        number: fc.string({ minLength: 1, maxLength: 200 }),
      }),
      fc.record({
        sort: fc.constantFrom('price' as const, '-price' as const),
        key: fc
          .tuple(fc.integer({ min: -99_999, max: 9_999_999 }), fc.integer({ min: 0, max: 99 }))
          .map(([a, c]) => `${a}.${String(c).padStart(2, '0')}`),
        number: fc.string({ minLength: 1, maxLength: 200 }),
      }),
      fc.record({
        sort: fc.constantFrom('number' as const, '-number' as const),
        key: fc.string({ minLength: 1, maxLength: 200 }),
        number: fc.string({ minLength: 1, maxLength: 200 }),
      }),
    );
    fc.assert(
      fc.property(cursors, (cursor) => {
        const search = new URLSearchParams({ sort: cursor.sort, cursor: encodeTicketCursor(cursor) });
        expect(ticketListQuery(search).cursor).toEqual(cursor);
      }),
    );
  });

  it('rewrites a sale-time key into the one form its cast reads', () => {
    expect(read(`sort=sold&cursor=${b64(['sold', '2026-11-30T20:00:00+01:00', 'T1'])}`).cursor).toEqual({
      sort: 'sold',
      key: '2026-11-30T19:00:00.000Z',
      number: 'T1',
    });
  });

  it.each([
    // What Date.parse accepts and Postgres's ::timestamptz refuses (the 500 of a crafted cursor).
    ['sold', '1', 'T1'],
    ['sold', 'Tue Mar 03 2026', 'T1'],
    ['sold', '2026-02-30T00:00:00Z', 'T1'],
    ['sold', '2026-11-30T24:00:00Z', 'T1'],
    ['-sold', '0000-01-01T00:00:00Z', 'T1'],
    // What ::numeric refuses, or a price no ticket has.
    ['price', '1e5', 'T1'],
    ['price', 'NaN', 'T1'],
    ['price', '12,00', 'T1'],
    ['-price', '99999999999.99', 'T1'],
    ['price', '0.001', 'T1'],
    // What text cannot hold.
    ['number', 'T1', 'a\u0000b'],
    ['-number', 'T1', '\ud800'],
    ['price', '12.00', 'x'.repeat(201)],
    ['number', 'x'.repeat(201), 'T1'],
    // Parts of the wrong type or number.
    ['updated', 2 ** 53],
    ['updated', 1.5],
    ['updated', '1'],
    ['updated', 0],
    ['sold', null, 'T1'],
    ['number', 'T1', 7],
    ['number', 'T1'],
    ['updated', 1, 2],
  ])('refuses the crafted cursor %j, naming cursor', (...parts) => {
    const sort = parts[0] as string;
    expect(refusedParam(`sort=${encodeURIComponent(sort)}&cursor=${b64(parts)}`)).toBe('cursor');
  });

  it.each([
    ['limit=5&limit=6', 'limit'],
    ['sort=price&sort=number', 'sort'],
    ['from=2026-02-30T00:00:00Z', 'from'],
    ['to=2026-02-29T00:00:00Z', 'to'],
    ['event=2147483648', 'event'],
    ['event=1e3', 'event'],
    ['before=9007199254740992', 'before'],
    ['format=CSV', 'format'],
    ['status=Valid', 'status'],
    [`cursor=${b64(['price', '12.00', 'T1'])}`, 'cursor'],
    [`format=csv&cursor=${b64(['updated', 4])}`, 'cursor'],
  ])('refuses ?%s naming %s', (search, param) => {
    expect(refusedParam(search)).toBe(param);
  });

  it('knows the sort orders of the list', () => {
    for (const sort of TICKET_SORTS) expect(read(`sort=${sort}`).sort).toBe(sort);
  });
});
