import {
  ConfigError,
  InvalidLiveBatchError,
  LIVE_BATCH_TYPE,
  LIVE_IDS_HEADER,
  LIVE_SEQS_HEADER,
  encodeLiveBatch,
} from '../../functions/src';
import { loadBridgeConfig } from '../src/config';
import { BadEventsRequest, parseEventsRequest } from '../src/eventsRequest';
import { liveFramesOf } from '../src/liveFrame';

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

  test.each(['history=1001', 'history=-1', 'history=1.5', 'history=', 'history=abc', 'history=1e3'])(
    '%s is rejected',
    (query) => {
      expect(() => parse(query)).toThrow(BadEventsRequest);
    },
  );

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
    expect(config).toMatchObject({
      port: 5001,
      hostname: '127.0.0.1',
      heartbeatMs: 15_000,
      clientBufferBytes: 1024 * 1024,
      corsOrigins: [],
      topologyPrefix: '',
    });
    expect(config.maxStreams).toEqual({ overall: 4000, perHolder: 2000 });
    expect(loadBridgeConfig({ BRIDGE_MAX_STREAMS: ' 50 ', BRIDGE_MAX_STREAMS_PER_KEY: '5' }).maxStreams).toEqual({
      overall: 50,
      perHolder: 5,
    });
  });

  test('DATABASE_URI and RabbitMQConnection are accepted as aliases; DATABASE_URL wins', () => {
    expect(loadBridgeConfig({ DATABASE_URI: 'postgres://a/b', RabbitMQConnection: 'amqp://r' })).toMatchObject({
      databaseUrl: 'postgres://a/b',
      rabbitmqUrl: 'amqp://r',
    });
    expect(loadBridgeConfig({ DATABASE_URI: 'postgres://a/b', DATABASE_URL: 'postgres://c/d' }).databaseUrl).toBe(
      'postgres://c/d',
    );
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

describe('liveFramesOf', () => {
  test("a relay batch becomes one frame per line, each line's bytes written as they came", () => {
    const events = [
      { id: 7, seq: 3, json: '{"id": 7, "seq": 3, "note": "a\\nb"}' },
      { id: 9, seq: 4, json: '{"id": 9, "seq": 4}' },
      { id: 8, seq: 5, json: '{"id": 8, "seq": 5, "city": "Neuch\u00e2tel"}' },
    ];
    const { content, headers } = encodeLiveBatch(events);
    const frames = liveFramesOf(content, { type: LIVE_BATCH_TYPE, headers });
    expect(frames.map((f) => [f.seq, f.id])).toEqual([
      [3, 7],
      [4, 9],
      [5, 8],
    ]);
    expect(frames.map((f) => f.bytes.toString('utf8'))).toEqual(
      events.map((e) => `id: ${e.id}\nevent: ticket\ndata: ${e.json}\n\n`),
    );
  });

  // The relay publishes batches only: the single-event forms an older relay or a hand publish
  // would send are refused, not parsed (functions/test/liveEvent.test.ts has every refused form).
  const event = { id: 7, seq: 3, event: 'ticket_created' };
  test.each<[string, string, { messageId?: string; headers?: Record<string, unknown> }]>([
    [
      'its id as messageId and its seq in x-petzi-seq',
      JSON.stringify(event),
      { messageId: '7', headers: { 'x-petzi-seq': 3 } },
    ],
    ['plain JSON with id and seq in the body', JSON.stringify(event), {}],
    ['pretty-printed JSON', JSON.stringify(event, null, 2), { messageId: '7' }],
  ])('a single live event with %s is refused (reason "type")', (_what, text, properties) => {
    expect(() => liveFramesOf(Buffer.from(text), properties)).toThrow(
      expect.objectContaining({ name: 'InvalidLiveBatchError', reason: 'type' }),
    );
  });

  test('a batch that does not hold together is refused whole', () => {
    const content = Buffer.from('{"id": 7, "seq": 3}\n{"id": 9, "seq": 4}');
    const properties = { type: LIVE_BATCH_TYPE, headers: { [LIVE_SEQS_HEADER]: [3], [LIVE_IDS_HEADER]: [7] } };
    expect(() => liveFramesOf(content, properties)).toThrow(InvalidLiveBatchError);
  });
});
