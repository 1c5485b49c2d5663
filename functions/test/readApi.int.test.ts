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
  const cancel = JSON.parse(
    ticketBody(5, {
      price: { amount: '40.00', currency: 'CHF' },
      category: 'Prévente',
      cancellationReason: 'order_mistake',
    }),
  ) as { event: string };
  cancel.event = 'ticket_updated';
  ids.push((await postWebhook(stack.url, JSON.stringify(cancel))).json.id as number);
  await waitUntil(
    async () => {
      const rows = await queryOnce<{ n: string }>(stack.db.url, 'SELECT count(*) AS n FROM live_event');
      return rows[0].n === '6' ? true : undefined;
    },
    15_000,
    'relay of the data set',
  );
});

afterAll(async () => {
  await stack.stop();
});

describe('GET /api/tickets', () => {
  it('lists tickets newest first with the contract fields', async () => {
    const { status, body } = await get('/api/tickets');
    expect(status).toBe(200);
    const items = body.items as Array<Record<string, unknown>>;
    expect(items.map((t) => t.number)).toEqual([
      'TEST00000005',
      'TEST00000004',
      'TEST00000003',
      'TEST00000002',
      'TEST00000001',
    ]);
    expect(items[0]).toMatchObject({
      status: 'cancelled',
      cancellationReason: 'order_mistake',
      webhookId: ids[5],
      price: { amount: '40.00', currency: 'CHF' },
    });
    expect(items[1]).toMatchObject({
      number: 'TEST00000004',
      category: 'Membre',
      sessionDate: '2026-12-12',
      city: 'Neuchâtel',
      venue: 'Case à Chocs',
      buyerRole: 'customer',
    });
    expect(body.nextBefore).toBeNull();
  });

  it('paginates with limit and before', async () => {
    const first = await get('/api/tickets?limit=2');
    expect((first.body.items as Array<{ number: string }>).map((t) => t.number)).toEqual([
      'TEST00000005',
      'TEST00000004',
    ]);
    const second = await get(`/api/tickets?limit=2&before=${first.body.nextBefore as number}`);
    expect((second.body.items as Array<{ number: string }>).map((t) => t.number)).toEqual([
      'TEST00000003',
      'TEST00000002',
    ]);
    const third = await get(`/api/tickets?limit=2&before=${second.body.nextBefore as number}`);
    expect((third.body.items as Array<{ number: string }>).map((t) => t.number)).toEqual(['TEST00000001']);
    expect(third.body.nextBefore).toBeNull();
  });

  it.each(['limit=0', 'limit=501', 'limit=abc', 'limit=-1', 'before=x', 'before=0', 'sort=asc'])(
    'answers 400 to ?%s',
    async (query) => {
      const { status, body } = await get(`/api/tickets?${query}`);
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: expect.any(String), param: query.split('=')[0] });
    },
  );
});

describe('GET /api/tickets: filters, sorting, cursor paging, CSV', () => {
  const numbers = async (query: string): Promise<string[]> => {
    const { status, body } = await get(`/api/tickets?${query}`);
    expect(status).toBe(200);
    return (body.items as Array<{ number: string }>).map((t) => t.number);
  };
  /** Every page of a query, following nextCursor. */
  async function allPages(query: string): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const { status, body }: { status: number; body: Record<string, unknown> } = await get(
        `/api/tickets?${query}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(status).toBe(200);
      pages.push((body.items as Array<{ number: string }>).map((t) => t.number));
      cursor = body.nextCursor as string | null;
    } while (cursor !== null && pages.length < 10);
    return pages;
  }

  it('filters by event, category, status and q (a piece of the number or the title)', async () => {
    await expect(numbers('event=1001')).resolves.toEqual(['TEST00000004', 'TEST00000001']);
    await expect(numbers('category=Membre')).resolves.toEqual(['TEST00000004', 'TEST00000003']);
    await expect(numbers('status=cancelled')).resolves.toEqual(['TEST00000005']);
    await expect(numbers('status=valid&category=Pr%C3%A9vente')).resolves.toEqual(['TEST00000002', 'TEST00000001']);
    await expect(numbers('q=00003')).resolves.toEqual(['TEST00000003']);
    await expect(numbers('q=test0000000')).resolves.toHaveLength(5);
    await expect(numbers('q=night')).resolves.toHaveLength(5);
    // LIKE's wildcards are taken literally.
    await expect(numbers('q=%25')).resolves.toEqual([]);
    await expect(numbers('q=_')).resolves.toEqual([]);
  });

  it('filters on the sale time, from inclusive and to exclusive', async () => {
    const [first] = await queryOnce<{ at: Date }>(
      stack.db.url,
      "SELECT first_seen_at AS at FROM ticket WHERE number = 'TEST00000003'",
    );
    const at = first.at.toISOString();
    await expect(numbers(`from=${at}&sort=sold`)).resolves.toEqual(['TEST00000003', 'TEST00000004', 'TEST00000005']);
    await expect(numbers(`to=${at}&sort=sold`)).resolves.toEqual(['TEST00000001', 'TEST00000002']);
    await expect(
      numbers(`from=${encodeURIComponent('2000-01-01T00:00:00+01:00')}&to=2000-01-02T00:00:00Z`),
    ).resolves.toEqual([]);
  });

  it('sorts, ties broken by number, and pages each order with its cursor', async () => {
    await expect(allPages('sort=price&limit=2')).resolves.toEqual([
      ['TEST00000004', 'TEST00000003'],
      ['TEST00000001', 'TEST00000002'],
      ['TEST00000005'],
    ]);
    await expect(allPages('sort=-price&limit=2')).resolves.toEqual([
      ['TEST00000005', 'TEST00000002'],
      ['TEST00000001', 'TEST00000003'],
      ['TEST00000004'],
    ]);
    await expect(allPages('sort=-number&limit=3')).resolves.toEqual([
      ['TEST00000005', 'TEST00000004', 'TEST00000003'],
      ['TEST00000002', 'TEST00000001'],
    ]);
    await expect(allPages('sort=sold&limit=4')).resolves.toEqual([
      ['TEST00000001', 'TEST00000002', 'TEST00000003', 'TEST00000004'],
      ['TEST00000005'],
    ]);
    await expect(allPages('sort=-sold&limit=5')).resolves.toEqual([
      ['TEST00000005', 'TEST00000004', 'TEST00000003', 'TEST00000002', 'TEST00000001'],
    ]);
    await expect(allPages('status=valid&limit=2')).resolves.toEqual([
      ['TEST00000004', 'TEST00000003'],
      ['TEST00000002', 'TEST00000001'],
    ]);
  });

  it('exports the filtered tickets as CSV, quoted, without buyer fields', async () => {
    const response = await fetch(`${stack.url}/api/tickets?format=csv&category=Membre&sort=number`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('petzi-export-truncated')).toBe('false');
    const lines = (await response.text()).split('\r\n');
    expect(lines[0]).toBe(
      '"ticket","sold_at","updated_at","event_id","event","session_date","venue","city","title","category","type","price","currency","status","cancellation_reason"',
    );
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^"TEST00000003",/),
      expect.stringMatching(/^"TEST00000004",.*"10\.00","EUR","valid",""$/),
      '',
    ]);
    expect(lines.join('\n')).not.toMatch(/Jane|Doe|customer|1234/);
  });

  it.each([
    'event=x',
    'event=-1',
    'event=99999999999',
    'status=open',
    `q=${'x'.repeat(101)}`,
    'q=a%01b',
    `category=${'c'.repeat(201)}`,
    'from=yesterday',
    'from=2026-11-30T10:00:00',
    'to=2026-13-40T10:00:00Z',
    'from=2026-11-30T10:00:00Z&to=2026-11-30T09:00:00Z',
    'sort=asc',
    'cursor=!!!',
    `cursor=${Buffer.from('{"a":1}').toString('base64url')}`,
    `cursor=${Buffer.from('not json').toString('base64url')}`,
    `cursor=${Buffer.from('["price","12.00","TEST00000001"]').toString('base64url')}&sort=number`,
    `cursor=${Buffer.from('["price","drop table","TEST00000001"]').toString('base64url')}&sort=price`,
    `cursor=${Buffer.from('["sold","never","TEST00000001"]').toString('base64url')}&sort=sold`,
    `cursor=${Buffer.from('["updated",-4]').toString('base64url')}`,
    'before=5&sort=price',
    'format=xml',
    'format=csv&limit=5',
  ])('answers 400 JSON naming the parameter to ?%s', async (query) => {
    const { status, body } = await get(`/api/tickets?${query}`);
    expect(status).toBe(400);
    const named = query.includes('to=2026-11-30T09')
      ? 'to'
      : query.startsWith('before=')
        ? 'before'
        : query.startsWith('format=csv')
          ? 'limit'
          : query.split('=')[0];
    expect(body).toMatchObject({ error: expect.any(String), param: named });
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
      for (let n = 0; n < 20; n += 1)
        await postWebhook(stack.url, ticketBody(100 + n, { price: { amount: '1.00', currency: 'CHF' } }));
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

  it('lists every event with its date and venue, and the errors by reason', async () => {
    await postWebhook(stack.url, '{"not":"signed"}', { signature: null });
    const { body } = await get('/api/stats');
    const events = body.events as Array<Record<string, unknown>>;
    expect(events.map((e) => e.eventId).sort()).toEqual([1000, 1001, 1002]);
    expect(events[0]).toMatchObject({
      event: expect.any(String),
      sessionDate: '2026-12-12',
      venue: 'Case à Chocs',
      city: 'Neuchâtel',
    });
    const pipeline = body.pipeline as { errorsTotal: number; errorsByReason: Array<{ reason: string; count: number }> };
    expect(pipeline.errorsTotal).toBeGreaterThanOrEqual(1);
    expect(pipeline.errorsByReason.reduce((sum, e) => sum + e.count, 0)).toBe(pipeline.errorsTotal);
    expect(pipeline.errorsByReason[0].reason).not.toBe('');
  });

  it('adds the sales of a date range in buckets of the zone', async () => {
    const to = new Date(Date.now() + 3_600_000);
    const from = new Date(to.getTime() - 2 * 86_400_000);
    const { status, body } = await get(
      `/api/stats?from=${from.toISOString()}&to=${to.toISOString()}&bucket=hour&zone=Europe/Zurich`,
    );
    expect(status).toBe(200);
    const sales = body.sales as { bucket: string; series: Array<{ at: string; tickets: number }> };
    expect(sales.bucket).toBe('hour');
    expect(sales.series.length).toBeGreaterThanOrEqual(48);
    const [{ n }] = await queryOnce<{ n: string }>(stack.db.url, 'SELECT count(*) AS n FROM ticket');
    expect(sales.series.reduce((sum, b) => sum + b.tickets, 0)).toBe(Number(n));
  });

  it.each([
    ['from=2026-11-30T10:00:00Z', 'to'],
    ['to=2026-11-30T10:00:00Z', 'from'],
    ['from=2026-11-30T10:00:00Z&to=2026-11-30T11:00:00Z&bucket=week', 'bucket'],
    ['from=2026-11-30T10:00:00Z&to=2026-11-30T11:00:00Z&zone=Mars/Olympus', 'zone'],
    ['bucket=day', 'bucket'],
    ['from=2026-01-01T00:00:00Z&to=2026-11-30T00:00:00Z&bucket=minute', 'bucket'],
    ['from=soon&to=2026-11-30T11:00:00Z', 'from'],
  ])('answers 400 JSON naming the parameter to ?%s', async (query, param) => {
    const { status, body } = await get(`/api/stats?${query}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: expect.any(String), param });
  });
});

describe('GET /api/tickets sorted by price', () => {
  it('sorts by the amount, not its text (100.00 above 40.00), across pages', async () => {
    const response = await postWebhook(stack.url, ticketBody(900, { price: { amount: '100.00', currency: 'CHF' } }));
    expect(response.status).toBe(200);
    await waitUntil(
      async () => ((await get('/api/tickets?q=00000900')).body.items as unknown[]).length === 1 || undefined,
      15_000,
      'ticket 900 in the projection',
    );
    const first = await get('/api/tickets?sort=-price&limit=1');
    expect((first.body.items as Array<{ number: string }>)[0].number).toBe('TEST00000900');
    const second = await get(`/api/tickets?sort=-price&limit=1&cursor=${first.body.nextCursor as string}`);
    expect((second.body.items as Array<{ price: { amount: string } }>)[0].price.amount).toBe('40.00');
    const cheapest = await get('/api/tickets?sort=price&limit=1&q=0000090');
    expect((cheapest.body.items as Array<{ number: string }>)[0].number).toBe('TEST00000900');
  });
});
