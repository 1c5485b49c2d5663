import { startTestStack, type TestStack } from '../../test/support/host';
import { queryOnce } from '../../test/support/db';
import { waitUntil } from '../../test/support/wait';
import { postWebhook, ticketBody } from '../../test/support/webhooks';

let stack: TestStack;
const ids: number[] = [];

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${stack.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  stack = await startTestStack();
  // A known data set: 5 tickets over 2 currencies and 2 categories, one of them cancelled afterwards.
  const bodies = [
    ticketBody(1, { price: { amount: '20.00', currency: 'CHF' }, category: 'Prévente' }),
    ticketBody(2, { price: { amount: '30.00', currency: 'CHF' }, category: 'Prévente' }),
    ticketBody(3, { price: { amount: '15.50', currency: 'CHF' }, category: 'Membre' }),
    ticketBody(4, { price: { amount: '10.00', currency: 'EUR' }, category: 'Membre' }),
    ticketBody(5, { price: { amount: '40.00', currency: 'CHF' }, category: 'Prévente' }),
  ];
  for (const body of bodies) ids.push((await postWebhook(stack.url, body)).json.id as number);
  const cancel = JSON.parse(ticketBody(5, { price: { amount: '40.00', currency: 'CHF' }, category: 'Prévente', cancellationReason: 'order_mistake' })) as { event: string };
  cancel.event = 'ticket_updated';
  ids.push((await postWebhook(stack.url, JSON.stringify(cancel))).json.id as number);
  await waitUntil(async () => {
    const rows = await queryOnce<{ n: string }>(stack.db.url, 'SELECT count(*) AS n FROM live_event');
    return rows[0].n === '6' ? true : undefined;
  }, 15_000, 'relay of the data set');
});

afterAll(async () => {
  await stack.stop();
});

describe('GET /api/tickets', () => {
  it('lists tickets newest first with the contract fields', async () => {
    const { status, body } = await get('/api/tickets');
    expect(status).toBe(200);
    const items = body.items as Array<Record<string, unknown>>;
    expect(items.map((t) => t.number)).toEqual(['TEST00000005', 'TEST00000004', 'TEST00000003', 'TEST00000002', 'TEST00000001']);
    expect(items[0]).toMatchObject({ status: 'cancelled', cancellationReason: 'order_mistake', webhookId: ids[5], price: { amount: '40.00', currency: 'CHF' } });
    expect(items[1]).toMatchObject({ number: 'TEST00000004', category: 'Membre', sessionDate: '2026-12-12', city: 'Neuchâtel', venue: 'Case à Chocs', buyerRole: 'customer' });
    expect(body.nextBefore).toBeNull();
  });

  it('paginates with limit and before', async () => {
    const first = await get('/api/tickets?limit=2');
    expect((first.body.items as Array<{ number: string }>).map((t) => t.number)).toEqual(['TEST00000005', 'TEST00000004']);
    const second = await get(`/api/tickets?limit=2&before=${first.body.nextBefore as number}`);
    expect((second.body.items as Array<{ number: string }>).map((t) => t.number)).toEqual(['TEST00000003', 'TEST00000002']);
    const third = await get(`/api/tickets?limit=2&before=${second.body.nextBefore as number}`);
    expect((third.body.items as Array<{ number: string }>).map((t) => t.number)).toEqual(['TEST00000001']);
    expect(third.body.nextBefore).toBeNull();
  });

  it.each(['limit=0', 'limit=501', 'limit=abc', 'limit=-1', 'before=x', 'before=0', 'sort=asc'])('answers 400 to ?%s', async (query) => {
    const { status, body } = await get(`/api/tickets?${query}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: expect.any(String), param: query.split('=')[0] });
  });
});

describe('GET /api/tickets/{number}', () => {
  it('returns the projection and the raw stored webhooks', async () => {
    const { status, body } = await get('/api/tickets/TEST00000005');
    expect(status).toBe(200);
    expect(body.ticket).toMatchObject({ number: 'TEST00000005', status: 'cancelled' });
    const webhooks = body.webhooks as Array<{ id: number; eventType: string; payload: { event: string } }>;
    expect(webhooks.map((w) => [w.id, w.eventType])).toEqual([
      [ids[4], 'ticket_created'],
      [ids[5], 'ticket_updated'],
    ]);
    expect(webhooks[1].payload.event).toBe('ticket_updated');
  });

  it('answers 404 JSON for an unknown ticket', async () => {
    const { status, body } = await get('/api/tickets/NOPE');
    expect(status).toBe(404);
    expect(body.error).toMatch(/NOPE/);
  });
});

describe('GET /api/stats', () => {
  it('computes the KPIs of the known data set', async () => {
    const { status, body } = await get('/api/stats');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      ticketsSold: 4,
      cancellations: 1,
      cancellationRate: 0.2,
      revenue: [
        { currency: 'CHF', amount: '65.50' },
        { currency: 'EUR', amount: '10.00' },
      ],
      averagePrice: [
        { currency: 'CHF', amount: '21.83' },
        { currency: 'EUR', amount: '10.00' },
      ],
      byCategory: [
        { category: 'Membre', tickets: 2 },
        { category: 'Prévente', tickets: 2 },
      ],
    });
    const byEvent = body.byEvent as Array<{ eventId: number; tickets: number }>;
    expect(byEvent.reduce((sum, e) => sum + e.tickets, 0)).toBe(4);
    const minutes = body.salesPerMinute as Array<{ minute: string; tickets: number }>;
    expect(minutes).toHaveLength(60);
    expect(minutes.reduce((sum, m) => sum + m.tickets, 0)).toBe(5);
    expect(body.pipeline).toMatchObject({ webhooksLastMinute: 6, errorsTotal: 0 });
    const [newest] = await queryOnce<{ seq: string }>(stack.db.url, 'SELECT max(seq) AS seq FROM live_event');
    expect(body.asOfSeq).toBe(Number(newest.seq));
  });

  it('reads every figure from one snapshot: a relay commit while it reads does not split them', async () => {
    // Relay batches commit between the stats' queries while this runs; each answer must still
    // count exactly the events up to its asOfSeq.
    const writer = (async () => {
      for (let n = 0; n < 20; n += 1) await postWebhook(stack.url, ticketBody(100 + n, { price: { amount: '1.00', currency: 'CHF' } }));
    })();
    const answers: Array<Record<string, unknown>> = [];
    while (answers.length < 30) answers.push((await get('/api/stats')).body);
    await writer;
    for (const answer of answers) {
      const [row] = await queryOnce<{ sold: string }>(
        stack.db.url,
        // Tickets whose newest live event is at or below asOfSeq, valid at that point.
        `SELECT count(*) AS sold FROM (
           SELECT DISTINCT ON (body #>> '{ticket,number}') body #>> '{ticket,status}' AS status
             FROM live_event WHERE seq <= $1 ORDER BY body #>> '{ticket,number}', webhook_id DESC) t
          WHERE status = 'valid'`,
        [answer.asOfSeq],
      );
      expect(answer.ticketsSold).toBe(Number(row.sold));
    }
  });

  it('answers 400 to unknown parameters', async () => {
    expect((await get('/api/stats?x=1')).status).toBe(400);
  });
});
