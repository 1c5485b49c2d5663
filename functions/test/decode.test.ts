import { PoisonMessageError, decodeWebhookMessage } from '../src/relay/decode';

const message = { id: 42, receivedAt: '2026-04-01T10:00:00.000Z', event: 'ticket_created', bodySha256: 'ab'.repeat(32), payload: { event: 'ticket_created' } };
const text = JSON.stringify(message);

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

/** The message's bytes as a Uint8Array that views the middle of a larger buffer. */
function viewOf(json: string): Uint8Array {
  const backing = Buffer.from(`xx${json}yy`);
  return new Uint8Array(backing.buffer, backing.byteOffset + 2, Buffer.byteLength(json));
}
