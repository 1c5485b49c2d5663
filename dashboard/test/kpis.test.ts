import { applyDelta, emptyKpis, kpisFromStats, kpiView, ticketDelta, type TicketFacts } from '../src/state/kpis';
import { stats } from './fixtures';

const valid = (amount: string, overrides: Partial<TicketFacts> = {}): TicketFacts => ({
  status: 'valid',
  price: { amount, currency: 'CHF' },
  category: 'Presale',
  eventId: 1,
  event: 'Event A',
  ...overrides,
});
const at = '2026-03-01T20:15:30.000Z';

describe('KPI arithmetic', () => {
  it('a new valid ticket is a sale: sold, revenue, average, category, event and minute move', () => {
    const k = applyDelta(emptyKpis(), ticketDelta(undefined, valid('25.00'), at));
    const v = kpiView(applyDelta(k, ticketDelta(undefined, valid('30.00', { category: 'Door' }), at)));
    expect(v.ticketsSold).toBe(2);
    expect(v.cancellations).toBe(0);
    expect(v.cancellationRate).toBe(0);
    expect(v.revenue).toEqual([{ currency: 'CHF', amount: '55.00' }]);
    expect(v.averagePrice).toEqual([{ currency: 'CHF', amount: '27.50' }]);
    expect(v.byCategory).toEqual([
      { category: 'Door', tickets: 1 },
      { category: 'Presale', tickets: 1 },
    ]);
    expect(v.byEvent).toEqual([{ eventId: 1, event: 'Event A', tickets: 2 }]);
  });

  it('cancelling a previously valid ticket unsells it, counts a cancellation and takes its price out of the revenue', () => {
    let k = applyDelta(emptyKpis(), ticketDelta(undefined, valid('25.00'), at));
    k = applyDelta(k, ticketDelta(undefined, valid('35.00'), at));
    k = applyDelta(k, ticketDelta(valid('25.00'), valid('25.00', { status: 'cancelled' }), at));
    const v = kpiView(k);
    expect(v.ticketsSold).toBe(1);
    expect(v.cancellations).toBe(1);
    expect(v.cancellationRate).toBe(0.5);
    expect(v.revenue).toEqual([{ currency: 'CHF', amount: '35.00' }]);
    expect(v.averagePrice).toEqual([{ currency: 'CHF', amount: '35.00' }]);
    expect(v.byCategory).toEqual([{ category: 'Presale', tickets: 1 }]);
    expect(v.byEvent).toEqual([{ eventId: 1, event: 'Event A', tickets: 1 }]);
    // Sales per minute counts every ticket by when it was first seen, cancelled or not.
    expect(k.salesPerMinute.get('2026-03-01T20:15:00.000Z')).toBe(2);
  });

  it('a ticket first seen already cancelled is a cancellation, not a sale, with no revenue', () => {
    const k = applyDelta(emptyKpis(), ticketDelta(undefined, valid('25.00', { status: 'cancelled' }), at));
    const v = kpiView(k);
    expect(v.ticketsSold).toBe(0);
    expect(v.cancellations).toBe(1);
    expect(v.cancellationRate).toBe(1);
    expect(v.revenue).toEqual([]);
    expect(v.averagePrice).toEqual([]);
    expect(v.byCategory).toEqual([]);
    expect(v.byEvent).toEqual([]);
    expect(k.salesPerMinute.get('2026-03-01T20:15:00.000Z')).toBe(1);
  });

  it('un-cancelling and price or category changes move the numbers both ways', () => {
    let k = applyDelta(emptyKpis(), ticketDelta(undefined, valid('25.00', { status: 'cancelled' }), at));
    k = applyDelta(
      k,
      ticketDelta(
        valid('25.00', { status: 'cancelled' }),
        valid('20.00', { category: 'Door', eventId: 2, event: 'Event B' }),
        at,
      ),
    );
    const v = kpiView(k);
    expect(v.ticketsSold).toBe(1);
    expect(v.cancellations).toBe(0);
    expect(v.revenue).toEqual([{ currency: 'CHF', amount: '20.00' }]);
    expect(v.byCategory).toEqual([{ category: 'Door', tickets: 1 }]);
    expect(v.byEvent).toEqual([{ eventId: 2, event: 'Event B', tickets: 1 }]);
    expect(k.salesPerMinute.get('2026-03-01T20:15:00.000Z')).toBe(1);
  });

  it('an update that changes nothing leaves every number alone', () => {
    const base = applyDelta(emptyKpis(), ticketDelta(undefined, valid('25.00'), at));
    const same = applyDelta(base, ticketDelta(valid('25.00'), valid('25.00'), at));
    expect(kpiView(same)).toEqual(kpiView(base));
    expect([...same.salesPerMinute]).toEqual([...base.salesPerMinute]);
  });

  it('keeps currencies apart', () => {
    let k = applyDelta(emptyKpis(), ticketDelta(undefined, valid('25.00'), at));
    k = applyDelta(k, ticketDelta(undefined, valid('10.00', { price: { amount: '10.00', currency: 'EUR' } }), at));
    k = applyDelta(k, ticketDelta(undefined, valid('20.00', { price: { amount: '20.00', currency: 'EUR' } }), at));
    const v = kpiView(k);
    expect(v.revenue).toEqual([
      { currency: 'CHF', amount: '25.00' },
      { currency: 'EUR', amount: '30.00' },
    ]);
    expect(v.averagePrice).toEqual([
      { currency: 'CHF', amount: '25.00' },
      { currency: 'EUR', amount: '15.00' },
    ]);
  });

  it('starts from the API stats and adds live deltas on top', () => {
    const base = kpisFromStats(
      stats({
        ticketsSold: 10,
        cancellations: 2,
        revenue: [{ currency: 'CHF', amount: '250.00' }],
        averagePrice: [{ currency: 'CHF', amount: '25.00' }],
        byCategory: [{ category: 'Presale', tickets: 10 }],
        byEvent: [{ eventId: 1, event: 'Event A', tickets: 10 }],
        salesPerMinute: [{ minute: '2026-03-01T20:15:00.000Z', tickets: 3 }],
      }),
    );
    expect(base.validCount).toEqual({ CHF: 10 });
    const v = kpiView(applyDelta(base, ticketDelta(undefined, valid('52.00'), at)));
    expect(v.ticketsSold).toBe(11);
    expect(v.revenue).toEqual([{ currency: 'CHF', amount: '302.00' }]);
    // 302.00 / 11 = 27.4545…
    expect(v.averagePrice).toEqual([{ currency: 'CHF', amount: '27.45' }]);
    expect(v.cancellationRate).toBeCloseTo(2 / 13);
    expect(v.byCategory).toEqual([{ category: 'Presale', tickets: 11 }]);
  });

  it('recovers per-currency counts from sums and averages when there are several currencies', () => {
    const base = kpisFromStats(
      stats({
        ticketsSold: 5,
        revenue: [
          { currency: 'CHF', amount: '70.00' },
          { currency: 'EUR', amount: '20.00' },
        ],
        averagePrice: [
          { currency: 'CHF', amount: '23.33' },
          { currency: 'EUR', amount: '10.00' },
        ],
      }),
    );
    expect(base.validCount).toEqual({ CHF: 3, EUR: 2 });
  });
});
