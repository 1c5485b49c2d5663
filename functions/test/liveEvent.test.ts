import fc from 'fast-check';
import {
  InvalidLiveBatchError,
  LIVE_BATCH_REFUSALS,
  LIVE_BATCH_TYPE,
  LIVE_IDS_HEADER,
  LIVE_SEQS_HEADER,
  decodeLiveBatch,
  encodeLiveBatch,
  type EncodedLiveEvent,
  type LiveBatchProperties,
  type LiveBatchRefusal,
} from '../src/protocol/liveEvent';

/** The petzi.live message (docs/protocol.md): what the relay encodes, the bridge decodes. */
const batch = (headers: Record<string, unknown>): LiveBatchProperties => ({ type: LIVE_BATCH_TYPE, headers });

function refusal(content: Buffer, properties: LiveBatchProperties): LiveBatchRefusal | undefined {
  try {
    decodeLiveBatch(content, properties);
    return undefined;
  } catch (error) {
    if (!(error instanceof InvalidLiveBatchError)) throw error;
    return error.reason;
  }
}

describe('encode then decode', () => {
  it('gives back each event as the bytes it was encoded from, with its seq and id', () => {
    const events = [
      { id: 7, seq: 3, json: '{"id": 7, "seq": 3, "note": "a\\nb"}' },
      { id: 9, seq: 4, json: '{"id": 9, "seq": 4}' },
      { id: 8, seq: 5, json: '{"id": 8, "seq": 5, "city": "Neuch\u00e2tel"}' },
    ];
    const { content, headers } = encodeLiveBatch(events);
    const lines = decodeLiveBatch(content, batch(headers));
    expect(lines.map((l) => ({ id: l.id, seq: l.seq, json: l.bytes.toString('utf8') }))).toEqual(events);
  });

  it('gives back any batch of one-line JSON objects in increasing seq order', () => {
    const event = fc.record({
      id: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      body: fc.dictionary(fc.string(), fc.jsonValue()),
    });
    const seqSteps = fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 50 });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 50 }), seqSteps, (drawn, steps) => {
        let seq = 0;
        const events: EncodedLiveEvent[] = drawn.slice(0, steps.length).map((e, i) => {
          seq += steps[i];
          return { id: e.id, seq, json: JSON.stringify(e.body) };
        });
        const { content, headers } = encodeLiveBatch(events);
        const lines = decodeLiveBatch(content, batch(headers));
        expect(lines.map((l) => ({ id: l.id, seq: l.seq, json: l.bytes.toString('utf8') }))).toEqual(events);
      }),
    );
  });

  it('encodes only what the decoder accepts: seqs that increase, one line per event', () => {
    expect(() =>
      encodeLiveBatch([
        { id: 1, seq: 2, json: '{}' },
        { id: 2, seq: 2, json: '{}' },
      ]),
    ).toThrow(/increasing seq order/);
    expect(() => encodeLiveBatch([{ id: 1, seq: 2, json: '{"a":\n1}' }])).toThrow(/one line/);
  });
});

describe('decodeLiveBatch refuses every other form, with its reason', () => {
  const body = Buffer.from('{"id": 7, "seq": 3}\n{"id": 9, "seq": 4}');
  const headers = { [LIVE_SEQS_HEADER]: [3, 4], [LIVE_IDS_HEADER]: [7, 9] };
  const single = Buffer.from('{"id": 7, "seq": 3}');

  it.each<[string, Buffer, LiveBatchProperties, LiveBatchRefusal]>([
    [
      'a single event with its id as messageId and its seq in x-petzi-seq',
      single,
      { headers: { 'x-petzi-seq': 3 } },
      'type',
    ],
    ['a single event as plain JSON, no type and no headers', single, {}, 'type'],
    ['a batch body and headers under another type', body, { type: 'ticket', headers }, 'type'],
    ['only one of the two headers', body, batch({ [LIVE_SEQS_HEADER]: [3, 4] }), 'headers'],
    ['headers of different lengths', body, batch({ [LIVE_SEQS_HEADER]: [3, 4], [LIVE_IDS_HEADER]: [7] }), 'headers'],
    ['empty headers', Buffer.from(''), batch({ [LIVE_SEQS_HEADER]: [], [LIVE_IDS_HEADER]: [] }), 'headers'],
    ['headers that are not lists', body, batch({ [LIVE_SEQS_HEADER]: 3, [LIVE_IDS_HEADER]: 7 }), 'headers'],
    [
      'a seq that is not a positive integer',
      body,
      batch({ [LIVE_SEQS_HEADER]: [3, '4'], [LIVE_IDS_HEADER]: [7, 9] }),
      'headers',
    ],
    ['an id of 0', body, batch({ [LIVE_SEQS_HEADER]: [3, 4], [LIVE_IDS_HEADER]: [7, 0] }), 'headers'],
    ['seqs that go down', body, batch({ [LIVE_SEQS_HEADER]: [4, 3], [LIVE_IDS_HEADER]: [7, 9] }), 'order'],
    ['a seq twice', body, batch({ [LIVE_SEQS_HEADER]: [3, 3], [LIVE_IDS_HEADER]: [7, 9] }), 'order'],
    [
      'fewer lines than headers say',
      body,
      batch({ [LIVE_SEQS_HEADER]: [3, 4, 5], [LIVE_IDS_HEADER]: [7, 9, 8] }),
      'lines',
    ],
    ['more lines than headers say', body, batch({ [LIVE_SEQS_HEADER]: [3], [LIVE_IDS_HEADER]: [7] }), 'lines'],
    ['an empty last line', Buffer.from('{"id": 7, "seq": 3}\n'), batch(headers), 'line'],
    ['a line that is not a JSON object', Buffer.from('{"id": 7, "seq": 3}\n[1]'), batch(headers), 'line'],
    ['a carriage return in a line', Buffer.from('{"id": 7,\r "seq": 3}\n{"id": 9}'), batch(headers), 'line'],
  ])('%s', (_what, content, properties, reason) => {
    expect(refusal(content, properties)).toBe(reason);
  });

  it('names each reason it can give', () => {
    expect([...LIVE_BATCH_REFUSALS].sort()).toEqual(['headers', 'line', 'lines', 'order', 'type']);
  });
});
