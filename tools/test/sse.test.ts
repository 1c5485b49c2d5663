import { createSseParser, type SseEvent } from '../harness/sse';

interface Seen {
  events: SseEvent[];
  comments: string[];
  retries: number[];
}

/** Feeds `chunks` to a fresh parser and returns what it reported. */
function parse(...chunks: string[]): Seen {
  const seen: Seen = { events: [], comments: [], retries: [] };
  const parser = createSseParser({
    event: (e) => seen.events.push(e),
    comment: (c) => seen.comments.push(c),
    retry: (ms) => seen.retries.push(ms),
  });
  chunks.forEach((chunk) => parser.push(chunk));
  return seen;
}

const STREAM = 'retry: 2000\n\n: heartbeat\n\nid: 7\nevent: ticket\ndata: {"a":1}\n\nid: 8\ndata: x\ndata: y\n\n';
const EXPECTED: Seen = {
  events: [
    { id: '7', event: 'ticket', data: '{"a":1}' },
    { id: '8', event: 'message', data: 'x\ny' },
  ],
  comments: ['heartbeat'],
  retries: [2000],
};

describe('createSseParser', () => {
  test('reads events, comments and retry', () => {
    expect(parse(STREAM)).toEqual(EXPECTED);
  });

  test.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('reads %s line ends, split at every position and one character at a time', (_name, end) => {
    const stream = STREAM.replace(/\n/g, end);
    for (let cut = 0; cut <= stream.length; cut += 1) {
      expect(parse(stream.slice(0, cut), stream.slice(cut))).toEqual(EXPECTED);
    }
    expect(parse(...stream.split(''))).toEqual(EXPECTED);
  });

  test('a CRLF split between its CR and LF is one line end, not a blank line', () => {
    const seen = parse('data: a\r', '\ndata: b\r', '\n\r', '\n');
    expect(seen.events).toEqual([{ id: undefined, event: 'message', data: 'a\nb' }]);
  });

  test('mixed line ends in one stream', () => {
    expect(parse('data: a\rdata: b\r\ndata: c\n\r\n').events).toEqual([
      { id: undefined, event: 'message', data: 'a\nb\nc' },
    ]);
  });

  test('multi-line data keeps its empty lines and one leading space is dropped', () => {
    expect(parse('data:  two spaces\ndata\ndata:\ndata:last\n\n').events).toEqual([
      { id: undefined, event: 'message', data: ' two spaces\n\n\nlast' },
    ]);
  });

  test('a field without a colon is the field with an empty value', () => {
    expect(parse('data\n\n').events).toEqual([{ id: undefined, event: 'message', data: '' }]);
    expect(parse('event\ndata: x\n\n').events).toEqual([{ id: undefined, event: 'message', data: 'x' }]);
    expect(parse('id: 3\ndata: a\n\nid\ndata: b\n\n').events.map((e) => e.id)).toEqual(['3', '']);
  });

  test('the id carries over to later events until a new id, even across an event without data', () => {
    const seen = parse('id: 1\ndata: a\n\ndata: b\n\nid: 2\n\ndata: c\n\n');
    expect(seen.events.map((e) => [e.id, e.data])).toEqual([
      ['1', 'a'],
      ['1', 'b'],
      ['2', 'c'],
    ]);
  });

  test('an id containing NUL is ignored', () => {
    expect(parse('id: 1\ndata: a\n\nid: 2\0\ndata: b\n\n').events.map((e) => e.id)).toEqual(['1', '1']);
  });

  test('a block without data dispatches nothing; an unfinished event waits for its blank line', () => {
    expect(parse('event: ticket\nid: 4\n\n').events).toEqual([]);
    expect(parse('data: half').events).toEqual([]);
    expect(parse('data: half', '\n', '\n').events).toEqual([{ id: undefined, event: 'message', data: 'half' }]);
  });

  test('retry takes only digits; unknown fields are ignored', () => {
    const seen = parse('retry: 10x\nretry: -1\nretry: 300\nfoo: bar\ndata: d\n\n');
    expect(seen.retries).toEqual([300]);
    expect(seen.events).toEqual([{ id: undefined, event: 'message', data: 'd' }]);
  });

  test('a comment is reported without its colon and leading spaces, and never dispatches', () => {
    const seen = parse(':  keep-alive\n:\n\n');
    expect(seen.comments).toEqual(['keep-alive', '']);
    expect(seen.events).toEqual([]);
  });

  test('a parser without comment or retry handlers ignores them', () => {
    const events: SseEvent[] = [];
    createSseParser({ event: (e) => events.push(e) }).push(': c\nretry: 5\ndata: x\n\n');
    expect(events).toEqual([{ id: undefined, event: 'message', data: 'x' }]);
  });
});
