import fc from 'fast-check';
import { LIVE_BATCH_TYPE, encodeLiveBatch } from '../../functions/src';
import { createSseParser, type SseEvent } from '../../tools/harness/sse';
import { frameOf, liveFramesOf } from '../src/liveFrame';
import { commentFrame, eventFrame, eventFrameOfBytes, retryFrame } from '../src/sseFrames';

/**
 * The SSE frames (docs/protocol.md): what the bridge writes, read back by the harness's parser,
 * which reads the event-stream format as EventSource does (tools/test/sse.test.ts).
 */
interface Seen {
  events: SseEvent[];
  comments: string[];
  retries: number[];
}

function read(stream: string, cut = stream.length): Seen {
  const seen: Seen = { events: [], comments: [], retries: [] };
  const parser = createSseParser({
    event: (e) => seen.events.push(e),
    comment: (c) => seen.comments.push(c),
    retry: (ms) => seen.retries.push(ms),
  });
  parser.push(stream.slice(0, cut));
  parser.push(stream.slice(cut));
  return seen;
}

describe('SSE frames, written then read', () => {
  test('retry, comment and event frames parse back, split across any chunk boundary', () => {
    const stream = Buffer.concat([
      retryFrame(),
      commentFrame('hello\nworld'),
      eventFrame(1, '{"a":1}'),
      eventFrameOfBytes(2, Buffer.from('{"b":"é"}')),
    ]).toString('utf8');
    for (let cut = 0; cut <= stream.length; cut += 1) {
      expect(read(stream, cut)).toEqual({
        events: [
          { id: '1', event: 'ticket', data: '{"a":1}' },
          { id: '2', event: 'ticket', data: '{"b":"é"}' },
        ],
        comments: ['hello world'],
        retries: [2000],
      });
    }
  });

  test('a comment stays one comment whatever line ends its text holds', () => {
    expect(read(commentFrame('a\r\nb\rc\n\nd').toString('utf8')).comments).toEqual(['a b c d']);
  });

  test('any event, from Postgres (frameOf) or from a relay batch (liveFramesOf), reads back as its id and its JSON', () => {
    const body = fc.dictionary(fc.string(), fc.jsonValue());
    const id = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(fc.array(fc.record({ id, body }), { minLength: 1, maxLength: 20 }), (drawn) => {
        const events = drawn.map((e, i) => ({
          id: e.id,
          seq: i + 1,
          json: JSON.stringify({ ...e.body, id: e.id, seq: i + 1 }),
        }));
        const { content, headers } = encodeLiveBatch(events);
        const relayed = liveFramesOf(content, { type: LIVE_BATCH_TYPE, headers });
        const stored = events.map((e) => frameOf(e.seq, e.id, JSON.parse(e.json) as Record<string, unknown>));
        for (const frames of [relayed, stored]) {
          const seen = read(Buffer.concat(frames.map((f) => f.bytes)).toString('utf8'));
          expect(seen.events.map((e) => e.id)).toEqual(events.map((e) => String(e.id)));
          expect(seen.events.every((e) => e.event === 'ticket')).toBe(true);
          expect(seen.events.map((e) => JSON.parse(e.data) as unknown)).toEqual(
            events.map((e) => JSON.parse(e.json) as unknown),
          );
        }
      }),
    );
  });
});
