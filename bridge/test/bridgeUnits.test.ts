import { ConfigError, InvalidLiveBatchError, LIVE_IDS_HEADER, LIVE_SEQ_HEADER, LIVE_SEQS_HEADER, encodeLiveBatch } from '../../functions/src';
import { loadBridgeConfig } from '../src/config';
import { BadEventsRequest, parseEventsRequest } from '../src/eventsRequest';
import { InvalidLiveEventError, liveFrameOf, liveFramesOf, parseLiveMessage } from '../src/liveFrame';
import { commentFrame, eventFrame, retryFrame } from '../src/sseFrames';
import { createSseParser, type SseEvent } from '../../tools/harness/sse';

describe('parseEventsRequest', () => {
  const parse = (query: string, header?: string) => parseEventsRequest(new URLSearchParams(query), header, 1000);

  test('no parameters is the live stream; history=0 too', () => {
    expect(parse('')).toEqual({ kind: 'live' });
    expect(parse('history=0')).toEqual({ kind: 'live' });
  });

  test('history from 1 to the maximum', () => {
    expect(parse('history=1')).toEqual({ kind: 'history', count: 1 });
    expect(parse('history=1000')).toEqual({ kind: 'history', count: 1000 });
  });

  test.each(['history=1001', 'history=-1', 'history=1.5', 'history=', 'history=abc', 'history=1e3'])('%s is rejected', (query) => {
    expect(() => parse(query)).toThrow(BadEventsRequest);
  });

  test('Last-Event-ID header or query resumes; the header wins; a resume ignores history', () => {
    expect(parse('lastEventId=12')).toEqual({ kind: 'resume', lastEventId: 12 });
    expect(parse('', ' 34 ')).toEqual({ kind: 'resume', lastEventId: 34 });
    expect(parse('lastEventId=12&history=5', '34')).toEqual({ kind: 'resume', lastEventId: 34 });
    expect(parse('history=5', '')).toEqual({ kind: 'history', count: 5 });
  });

  test.each(['abc', '0', '-3', '1.5', '9999999999999999'])('Last-Event-ID %s is rejected', (id) => {
    expect(() => parse('', id)).toThrow(BadEventsRequest);
  });
});

describe('loadBridgeConfig', () => {
  test('defaults', () => {
    const config = loadBridgeConfig({});
    expect(config).toMatchObject({ port: 5001, hostname: '127.0.0.1', heartbeatMs: 15_000, clientBufferBytes: 1024 * 1024, corsOrigins: [], topologyPrefix: '' });
    expect(config.maxStreams).toEqual({ overall: 4000, perHolder: 2000 });
    expect(loadBridgeConfig({ BRIDGE_MAX_STREAMS: ' 50 ', BRIDGE_MAX_STREAMS_PER_KEY: '5' }).maxStreams).toEqual({ overall: 50, perHolder: 5 });
  });

  test('DATABASE_URI and RabbitMQConnection are accepted as aliases; DATABASE_URL wins', () => {
    expect(loadBridgeConfig({ DATABASE_URI: 'postgres://a/b', RabbitMQConnection: 'amqp://r' })).toMatchObject({ databaseUrl: 'postgres://a/b', rabbitmqUrl: 'amqp://r' });
    expect(loadBridgeConfig({ DATABASE_URI: 'postgres://a/b', DATABASE_URL: 'postgres://c/d' }).databaseUrl).toBe('postgres://c/d');
  });

  test.each([
    ['PORT', '70000'],
    ['PORT', 'x'],
    ['BRIDGE_HEARTBEAT_MS', '5'],
    ['BRIDGE_CLIENT_BUFFER_BYTES', '-1'],
    ['BRIDGE_HEARTBEAT_MS', '1e3'],
    ['CORS_ORIGINS', ' , '],
    ['DATABASE_URL', 'localhost/petzi'],
    ['RABBITMQ_URL', 'http://127.0.0.1:15672'],
    ['BRIDGE_MAX_STREAMS', '0'],
    ['BRIDGE_MAX_STREAMS', 'many'],
    ['BRIDGE_MAX_STREAMS_PER_KEY', '-2'],
    ['BRIDGE_MAX_STREAMS_PER_KEY', '2.5'],
  ])('%s=%s is a configuration error', (name, value) => {
    expect(() => loadBridgeConfig({ [name]: value })).toThrow(ConfigError);
  });
});

describe('frames and live messages', () => {
  test('a live message becomes one SSE event with id = webhook id and single-line JSON data', () => {
    const pretty = Buffer.from(JSON.stringify({ id: 7, seq: 3, event: 'ticket_created', note: 'a\nb' }, null, 2));
    const frame = parseLiveMessage(pretty);
    expect(frame.seq).toBe(3);
    expect(frame.id).toBe(7);
    const events: SseEvent[] = [];
    createSseParser({ event: (e) => events.push(e) }).push(frame.bytes.toString('utf8'));
    expect(events).toEqual([{ id: '7', event: 'ticket', data: expect.any(String) }]);
    expect(JSON.parse(events[0].data)).toEqual({ id: 7, seq: 3, event: 'ticket_created', note: 'a\nb' });
  });

  test('a relay message that says its id and seq is written as the bytes received, unparsed', () => {
    const content = Buffer.from('{"id": 7, "seq": 3, "event": "ticket_created", "note": "a\\nb"}');
    const frame = liveFrameOf(content, { messageId: '7', headers: { [LIVE_SEQ_HEADER]: 3 } });
    expect(frame.seq).toBe(3);
    expect(frame.id).toBe(7);
    expect(frame.bytes.toString('utf8')).toBe(`id: 7\nevent: ticket\ndata: ${content.toString('utf8')}\n\n`);
  });

  test.each([
    ['no seq header (an older relay)', { messageId: '7' }],
    ['a seq that is not a positive integer', { messageId: '7', headers: { [LIVE_SEQ_HEADER]: '3' } }],
    ['no message id', { headers: { [LIVE_SEQ_HEADER]: 3 } }],
  ])('a message with %s is parsed and re-encoded as before', (_what, properties) => {
    const frame = liveFrameOf(Buffer.from(JSON.stringify({ id: 7, seq: 3, event: 'ticket_created' }, null, 2)), properties);
    expect(frame.bytes.toString('utf8')).toBe(`id: 7\nevent: ticket\ndata: ${JSON.stringify({ id: 7, seq: 3, event: 'ticket_created' })}\n\n`);
  });

  test('bytes over several lines are never written as they are, whatever the headers say', () => {
    const frame = liveFrameOf(Buffer.from('{"id": 7,\n"seq": 3}'), { messageId: '7', headers: { [LIVE_SEQ_HEADER]: 3 } });
    expect(frame.bytes.toString('utf8')).toBe('id: 7\nevent: ticket\ndata: {"id":7,"seq":3}\n\n');
  });

  test("a relay batch becomes one frame per line, each line's bytes written as they came", () => {
    const events = [
      { id: 7, seq: 3, json: '{"id": 7, "seq": 3, "note": "a\\nb"}' },
      { id: 9, seq: 4, json: '{"id": 9, "seq": 4}' },
      { id: 8, seq: 5, json: '{"id": 8, "seq": 5, "city": "Neuch\u00e2tel"}' },
    ];
    const { content, headers } = encodeLiveBatch(events);
    const frames = liveFramesOf(content, { headers });
    expect(frames.map((f) => [f.seq, f.id])).toEqual([
      [3, 7],
      [4, 9],
      [5, 8],
    ]);
    expect(frames.map((f) => f.bytes.toString('utf8'))).toEqual(events.map((e) => `id: ${e.id}\nevent: ticket\ndata: ${e.json}\n\n`));
  });

  test('a message without batch headers is one live event, as before', () => {
    const frames = liveFramesOf(Buffer.from('{"id": 7, "seq": 3}'), { messageId: '7', headers: { [LIVE_SEQ_HEADER]: 3 } });
    expect(frames.map((f) => [f.seq, f.id])).toEqual([[3, 7]]);
  });

  const batchBody = Buffer.from('{"id": 7, "seq": 3}\n{"id": 9, "seq": 4}');
  test.each([
    ['only one of the two headers', batchBody, { [LIVE_SEQS_HEADER]: [3, 4] }],
    ['headers of different lengths', batchBody, { [LIVE_SEQS_HEADER]: [3, 4], [LIVE_IDS_HEADER]: [7] }],
    ['empty headers', Buffer.from(''), { [LIVE_SEQS_HEADER]: [], [LIVE_IDS_HEADER]: [] }],
    ['headers that are not lists', batchBody, { [LIVE_SEQS_HEADER]: 3, [LIVE_IDS_HEADER]: 7 }],
    ['a seq that is not a positive integer', batchBody, { [LIVE_SEQS_HEADER]: [3, '4'], [LIVE_IDS_HEADER]: [7, 9] }],
    ['an id of 0', batchBody, { [LIVE_SEQS_HEADER]: [3, 4], [LIVE_IDS_HEADER]: [7, 0] }],
    ['fewer lines than headers say', batchBody, { [LIVE_SEQS_HEADER]: [3, 4, 5], [LIVE_IDS_HEADER]: [7, 9, 8] }],
    ['more lines than headers say', batchBody, { [LIVE_SEQS_HEADER]: [3], [LIVE_IDS_HEADER]: [7] }],
    ['a line that is not a JSON object', Buffer.from('{"id": 7, "seq": 3}\n[1]'), { [LIVE_SEQS_HEADER]: [3, 4], [LIVE_IDS_HEADER]: [7, 9] }],
    ['an empty line', Buffer.from('{"id": 7, "seq": 3}\n'), { [LIVE_SEQS_HEADER]: [3, 4], [LIVE_IDS_HEADER]: [7, 9] }],
    ['a carriage return in a line', Buffer.from('{"id": 7,\r "seq": 3}\n{"id": 9}'), { [LIVE_SEQS_HEADER]: [3, 4], [LIVE_IDS_HEADER]: [7, 9] }],
  ])('a batch message with %s is refused whole (the next event fills the gap from Postgres)', (_what, content, headers) => {
    expect(() => liveFramesOf(content, { headers })).toThrow(InvalidLiveBatchError);
  });

  test.each(['not json', '[1]', 'null', '{"id":1}', '{"id":"1","seq":2}', '{"id":1,"seq":0}'])('%s is not a live event', (text) => {
    expect(() => parseLiveMessage(Buffer.from(text))).toThrow(InvalidLiveEventError);
  });

  test('retry, comment and event frames parse back, split across any chunk boundary', () => {
    const stream = Buffer.concat([retryFrame(), commentFrame('hello\nworld'), eventFrame(1, '{"a":1}'), eventFrame(2, '{"b":2}')]).toString('utf8');
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      let retry: number | undefined;
      const parser = createSseParser({ event: (e) => events.push(e), comment: (c) => comments.push(c), retry: (ms) => (retry = ms) });
      parser.push(stream.slice(0, cut));
      parser.push(stream.slice(cut));
      expect(retry).toBe(2000);
      expect(comments).toEqual(['hello world']);
      expect(events).toEqual([
        { id: '1', event: 'ticket', data: '{"a":1}' },
        { id: '2', event: 'ticket', data: '{"b":2}' },
      ]);
    }
  });
});
