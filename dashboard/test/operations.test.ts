import type { ApiClient } from '../src/api';
import { ApiError } from '../src/api';
import { useDeadLetters } from '../src/composables/useDeadLetters';
import { usePagedList } from '../src/composables/usePagedList';
import { viewOf } from '../src/composables/useView';
import { zonedDayStart, zonedInstant } from '../src/format';
import { confirmQuestion, deadLetterSearch, redriveSummary, type DeadLetterState } from '../src/state/deadLetters';
import {
  deliverySearch,
  isDeliveryFiltered,
  isRefusal,
  KNOWN_OUTCOMES,
  NO_DELIVERY_FILTER,
  outcomeMeaning,
  statusProblem,
} from '../src/state/deliveries';
import { appendById } from '../src/state/paging';
import type { DeadLetter, DeadLetterPage, Delivery, RedriveRequest, RedriveResult } from '../src/types';

const delivery = (id: number, outcome = 'stored'): Delivery => ({
  id,
  receivedAt: '2026-11-30T05:00:00.000Z',
  outcome,
  status: outcome === 'stored' ? 200 : 401,
  bodyBytes: 512,
  bodySha256: 'ab'.repeat(32),
  signatureTimestamp: null,
  webhookId: outcome === 'stored' ? id : null,
  sourceAddress: '127.0.0.1',
});

const deadLetter = (id: number, webhookId = id * 10, redrivenAt: string | null = null): DeadLetter => ({
  id,
  webhookId,
  ticketNumber: `T${webhookId}`,
  reason: 'relay_failed',
  tries: 3,
  deadLetteredAt: '2026-11-30T05:00:00.000Z',
  redrivenAt,
});

describe('the delivery log: its question', () => {
  it('sends only the filters in use, then limit and cursor', () => {
    expect(deliverySearch(NO_DELIVERY_FILTER).toString()).toBe('');
    expect(
      deliverySearch(
        { outcome: 'signature_mismatch', status: ' 401 ', from: '2026-11-29T23:00:00.000Z', to: '' },
        { limit: 50, cursor: 'c1' },
      ).toString(),
    ).toBe('outcome=signature_mismatch&status=401&from=2026-11-29T23%3A00%3A00.000Z&limit=50&cursor=c1');
    expect(isDeliveryFiltered(NO_DELIVERY_FILTER)).toBe(false);
    expect(isDeliveryFiltered({ ...NO_DELIVERY_FILTER, to: '2026-11-30T00:00:00.000Z' })).toBe(true);
  });

  it('takes an HTTP status of three digits, 100 to 599, and says why not otherwise', () => {
    for (const ok of ['', ' ', '200', '401', '599']) expect(statusProblem(ok)).toBeNull();
    for (const bad of ['20', '600', '4o1', '-401', '4011', '099'])
      expect({ bad, problem: statusProblem(bad) }).toEqual({ bad, problem: expect.stringContaining('three digits') });
  });
});

describe('the delivery log: what each outcome means', () => {
  it('tells accepted deliveries from refusals', () => {
    expect([
      isRefusal(delivery(1, 'stored')),
      isRefusal(delivery(1, 'duplicate')),
      isRefusal(delivery(1, 'signature_mismatch')),
      isRefusal(delivery(1, 'brand_new_reason')),
    ]).toEqual([false, false, true, true]);
  });

  it('gives every refusal a reason in words, an unknown one included', () => {
    for (const outcome of KNOWN_OUTCOMES.filter((o) => o !== 'stored' && o !== 'duplicate'))
      expect({ outcome, meaning: outcomeMeaning(outcome) }).toEqual({
        outcome,
        meaning: expect.stringMatching(/^Refused/),
      });
    expect(outcomeMeaning('signature_mismatch')).toBe(
      'Refused: the signature does not match (wrong secret, or the body was changed).',
    );
    expect(outcomeMeaning('brand_new_reason')).toBe('Refused: brand new reason.');
    expect(outcomeMeaning('')).toBe('Refused: no reason recorded.');
    expect(outcomeMeaning('stored')).toMatch(/^Stored/);
  });
});

describe('paging by cursor', () => {
  it('appends the older page after the rows shown, never a row twice', () => {
    const shown = [delivery(9), delivery(8)];
    const next = appendById(shown, { items: [delivery(8), delivery(7), delivery(6)], nextCursor: null });
    expect(next.map((d) => d.id)).toEqual([9, 8, 7, 6]);
    expect(shown.map((d) => d.id)).toEqual([9, 8]);
  });

  it('replaces the rows for a new question and appends for the next page; an answer to an older question never lands', async () => {
    const answers = new Map<string, (page: { items: Array<{ id: number }>; nextCursor: string | null }) => void>();
    const list = usePagedList((question: string, cursor, signal) => {
      return new Promise<{ items: Array<{ id: number }>; nextCursor: string | null }>((resolve, reject) => {
        answers.set(`${question}@${cursor}`, resolve);
        signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    });
    const first = list.load('all');
    answers.get('all@null')?.({ items: [{ id: 5 }, { id: 4 }], nextCursor: 'c4' });
    await first;
    expect([list.items.value.map((i) => i.id), list.nextCursor.value, list.loaded.value]).toEqual([[5, 4], 'c4', true]);

    const more = list.more();
    answers.get('all@c4')?.({ items: [{ id: 3 }], nextCursor: null });
    await more;
    expect([list.items.value.map((i) => i.id), list.nextCursor.value]).toEqual([[5, 4, 3], null]);
    await list.more(); // nothing left: nothing asked
    expect([...answers.keys()]).toEqual(['all@null', 'all@c4']);

    // A slow answer to the old question, overtaken by a new one: it is dropped, and no error shows.
    const old = list.load('old');
    const fresh = list.load('new');
    answers.get('new@null')?.({ items: [{ id: 2 }], nextCursor: null });
    answers.get('old@null')?.({ items: [{ id: 99 }], nextCursor: null });
    await Promise.all([old, fresh]);
    expect([list.items.value.map((i) => i.id), list.error.value, list.loading.value]).toEqual([[2], null, false]);
    list.close();
  });

  it('shows the API error in words and keeps the rows it had', async () => {
    let fail = false;
    const list = usePagedList(async (_q: string) => {
      if (fail) throw new ApiError(400, 'status must be an HTTP status code');
      return { items: [{ id: 1 }], nextCursor: null };
    });
    await list.load('a');
    fail = true;
    await list.load('b');
    expect([list.items.value.map((i) => i.id), list.error.value]).toEqual([[1], 'status must be an HTTP status code']);
  });
});

describe('dead letters: the question, the confirmation and the result', () => {
  it('asks for a state with limit and cursor', () => {
    expect(deadLetterSearch('waiting').toString()).toBe('state=waiting');
    expect(deadLetterSearch('all', { limit: 50, cursor: 'x' }).toString()).toBe('state=all&limit=50&cursor=x');
  });

  it('names what a redrive will do before it is sent', () => {
    const letters = [deadLetter(3, 42)];
    expect(confirmQuestion({ ids: [3] }, 5, letters)).toBe(
      'Redrive webhook 42 (ticket T42)? It is published to the relay again.',
    );
    expect(confirmQuestion({ ids: [7] }, 5, letters)).toBe(
      'Redrive dead letter 7? It is published to the relay again.',
    );
    expect(confirmQuestion({ ids: [3, 4] }, 5, letters)).toMatch(/^Redrive 2 dead letters\?/);
    expect(confirmQuestion({ all: true }, 1)).toMatch(/^Redrive all 1 waiting dead letter\?/);
    expect(confirmQuestion({ all: true }, 12)).toMatch(/^Redrive all 12 waiting dead letters\?/);
  });

  it('says what the redrive did, and which records were no longer waiting', () => {
    expect(redriveSummary({ ids: [3] }, { redriven: 1, ids: [3] })).toBe(
      '1 dead letter redriven: published to the relay again.',
    );
    expect(redriveSummary({ ids: [3, 4, 5] }, { redriven: 1, ids: [3] })).toBe(
      '1 dead letter redriven; dead letters 4, 5 were not waiting any more.',
    );
    expect(redriveSummary({ ids: [4] }, { redriven: 0, ids: [] })).toBe(
      '0 dead letters redriven; dead letter 4 was not waiting any more.',
    );
    expect(redriveSummary({ all: true }, { redriven: 4, ids: [1, 2, 3, 4] })).toBe(
      '4 dead letters redriven: published to the relay again.',
    );
    expect(redriveSummary({ all: true }, { redriven: 0, ids: [] })).toBe(
      'Nothing to redrive: no dead letter was waiting.',
    );
  });
});

describe('dead letters: the redrive, confirmed', () => {
  /** A client whose dead letters are `waiting` until redriven; it records every redrive it is sent. */
  function fakeClient(waiting: DeadLetter[], failWith?: Error) {
    const sent: RedriveRequest[] = [];
    const asked: DeadLetterState[] = [];
    const client = {
      deadLetters: async (state: DeadLetterState): Promise<DeadLetterPage> => {
        asked.push(state);
        return { items: [...waiting], nextCursor: null, waiting: waiting.length };
      },
      redrive: async (target: RedriveRequest): Promise<RedriveResult> => {
        sent.push(target);
        if (failWith) throw failWith;
        const ids =
          'all' in target ? waiting.map((d) => d.id) : target.ids.filter((id) => waiting.some((d) => d.id === id));
        waiting.splice(0, waiting.length, ...waiting.filter((d) => !ids.includes(d.id)));
        return { redriven: ids.length, ids };
      },
    } as unknown as ApiClient;
    return { client, sent, asked };
  }

  it('sends nothing until confirmed, and nothing when cancelled', async () => {
    const { client, sent } = fakeClient([deadLetter(1), deadLetter(2)]);
    const letters = useDeadLetters(client);
    await letters.show('waiting');
    letters.ask({ ids: [1] });
    expect(letters.pending.value).toEqual({ ids: [1] });
    letters.cancel();
    expect([letters.pending.value, sent]).toEqual([null, []]);
    letters.close();
  });

  it('on confirmation sends the redrive, shows its result and reloads the list', async () => {
    const { client, sent, asked } = fakeClient([deadLetter(1), deadLetter(2), deadLetter(3)]);
    const letters = useDeadLetters(client);
    await letters.show('waiting');
    expect([letters.items.value.length, letters.waiting.value]).toEqual([3, 3]);

    letters.ask({ ids: [2] });
    await letters.confirm();
    expect(sent).toEqual([{ ids: [2] }]);
    expect(letters.result.value).toEqual({
      ok: true,
      message: '1 dead letter redriven: published to the relay again.',
    });
    expect([letters.items.value.map((d) => d.id), letters.waiting.value, letters.pending.value]).toEqual([
      [1, 3],
      2,
      null,
    ]);

    letters.ask({ all: true });
    await letters.confirm();
    expect(sent).toEqual([{ ids: [2] }, { all: true }]);
    expect([letters.items.value, letters.waiting.value, letters.result.value?.message]).toEqual([
      [],
      0,
      '2 dead letters redriven: published to the relay again.',
    ]);
    expect(asked).toEqual(['waiting', 'waiting', 'waiting']);
    letters.close();
  });

  it('shows a refused redrive (no admin key) as a failure, and still refreshes the list', async () => {
    const { client, sent, asked } = fakeClient(
      [deadLetter(1)],
      new ApiError(
        403,
        'redrive needs the admin key, and this dashboard server has none: set PETZI_ADMIN_KEY in its environment',
      ),
    );
    const letters = useDeadLetters(client);
    await letters.show('all');
    letters.ask({ all: true });
    await letters.confirm();
    expect(sent).toEqual([{ all: true }]);
    expect(letters.result.value).toEqual({
      ok: false,
      message:
        'The redrive failed: redrive needs the admin key, and this dashboard server has none: set PETZI_ADMIN_KEY in its environment',
    });
    expect([asked, letters.items.value.length]).toEqual([['all', 'all'], 1]);
    letters.close();
  });
});

describe('times in the chosen zone and the views', () => {
  it('turns a wall-clock minute in a zone into its instant', () => {
    expect(zonedInstant('2026-11-30T14:02', 'Europe/Zurich')).toBe('2026-11-30T13:02:00.000Z');
    expect(zonedInstant('2026-07-01T14:02', 'Europe/Zurich')).toBe('2026-07-01T12:02:00.000Z');
    expect(zonedInstant('2026-11-30T14:02', 'UTC')).toBe('2026-11-30T14:02:00.000Z');
    expect(zonedInstant('2026-11-30', 'Europe/Zurich')).toBe(zonedDayStart('2026-11-30', 'Europe/Zurich'));
    for (const bad of ['', '14:02', '2026-11-30 14:02', 'yesterday']) expect(zonedInstant(bad)).toBeNull();
    expect(zonedDayStart('2026-11-30T14:02')).toBeNull();
  });

  it('opens the view the address names, the live tickets otherwise', () => {
    expect([viewOf('#/deliveries'), viewOf('#/dead-letters'), viewOf('#/'), viewOf(''), viewOf('#/nope')]).toEqual([
      'deliveries',
      'dead-letters',
      'tickets',
      'tickets',
      'tickets',
    ]);
  });
});
