import fc from 'fast-check';
import { sampleBodies } from '../../test/support/webhooks';
import {
  PoisonMessageError,
  decodeWebhookMessage,
  encodeWebhookMessage,
  isPositiveId,
  type WebhookMessage,
} from '../src/protocol/webhookMessage';

/** The petzi.webhooks message (docs/protocol.md): what ingest and the outbox encode, the relay decodes. */
const meta = { id: 42, receivedAt: '2026-04-01T10:00:00.000Z', event: 'ticket_created', bodySha256: 'ab'.repeat(32) };
const message: WebhookMessage = { ...meta, payload: { event: 'ticket_created' } };
const text = JSON.stringify(message);

/** The message's bytes as a Uint8Array that views the middle of a larger buffer. */
function viewOf(json: string): Uint8Array {
  const backing = Buffer.from(`xx${json}yy`);
  return new Uint8Array(backing.buffer, backing.byteOffset + 2, Buffer.byteLength(json));
}

describe('encodeWebhookMessage', () => {
  it('splices a raw JSON body into the same document as serialising the parsed payload', () => {
    const raw = '{\n    "event": "ticket_created",\n    "details": {"name": "Pr\\u00e9vente", "n": [1, 2]}\n}';
    const spliced = JSON.parse(encodeWebhookMessage({ ...meta, payloadJson: raw }).toString()) as unknown;
    const serialised = JSON.parse(encodeWebhookMessage({ ...meta, payload: JSON.parse(raw) }).toString()) as unknown;
    expect(spliced).toEqual(serialised);
    expect(spliced).toEqual({
      ...meta,
      payload: { event: 'ticket_created', details: { name: 'Prévente', n: [1, 2] } },
    });
  });
});

describe('encode then decode', () => {
  it.each(sampleBodies().map((s) => [s.name, s.body.toString('utf8')]))(
    'gives back the sender body %s, spliced as it arrived',
    (_name, body) => {
      const decoded = decodeWebhookMessage(encodeWebhookMessage({ ...meta, payloadJson: body }));
      expect(decoded).toEqual({ ...meta, payload: JSON.parse(body) });
    },
  );

  it('gives back any message, from its parsed or its raw payload, in each form the trigger hands over', () => {
    const id = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
    const instant = fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
    const sha256 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString('hex'));
    const payload = fc
      .dictionary(fc.string(), fc.jsonValue())
      .map((value) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>);
    fc.assert(
      fc.property(id, instant, fc.string(), sha256, payload, (id, receivedAt, event, bodySha256, payload) => {
        const original: WebhookMessage = { id, receivedAt, event, bodySha256, payload };
        const fromParsed = encodeWebhookMessage(original);
        const fromRaw = encodeWebhookMessage({
          id,
          receivedAt,
          event,
          bodySha256,
          payloadJson: JSON.stringify(payload, null, 2),
        });
        for (const bytes of [fromParsed, fromRaw]) {
          expect(decodeWebhookMessage(bytes)).toEqual(original);
          expect(decodeWebhookMessage(bytes.toString('utf8'))).toEqual(original);
          expect(decodeWebhookMessage(JSON.parse(bytes.toString('utf8')))).toEqual(original);
        }
      }),
    );
  });
});

describe('decodeWebhookMessage', () => {
  it.each([
    ['a Buffer', Buffer.from(text)],
    ['a Uint8Array view into a larger buffer', viewOf(text)],
    ['a string', text],
    ['a parsed object (the Functions worker parses JSON)', message],
  ])('reads %s', (_what, input) => {
    expect(decodeWebhookMessage(input)).toEqual(message);
  });

  it('takes a missing bodySha256 as empty', () => {
    const { bodySha256: _omitted, ...rest } = message;
    expect(decodeWebhookMessage(JSON.stringify(rest)).bodySha256).toBe('');
  });

  it.each([
    ['not JSON', Buffer.from('{"id":'), 'message is not JSON'],
    ['a JSON array', '[1]', 'message is not a JSON object'],
    ['null', null, 'message is not a JSON object'],
    ['an id of 0', { ...message, id: 0 }, 'message has no valid id'],
    ['an id that is a string', { ...message, id: '42' }, 'message has no valid id'],
    ['an id past 2^53', { ...message, id: 2 ** 53 }, 'message has no valid id'],
    ['a receivedAt that is no date', { ...message, receivedAt: 'yesterday' }, 'message has no valid receivedAt'],
    ['no event', { ...message, event: undefined }, 'message has no event'],
    ['a payload that is a string', { ...message, payload: '{}' }, 'message has no payload object'],
  ])('refuses %s as poison (dead-lettered, never retried into success)', (_what, input, reason) => {
    expect(() => decodeWebhookMessage(input)).toThrow(new PoisonMessageError(reason));
  });
});

describe('isPositiveId', () => {
  it.each([
    [1, true],
    [Number.MAX_SAFE_INTEGER, true],
    [0, false],
    [-1, false],
    [1.5, false],
    [2 ** 53, false],
    ['1', false],
    [null, false],
  ])('%p is %p', (value, expected) => {
    expect(isPositiveId(value)).toBe(expected);
  });
});
