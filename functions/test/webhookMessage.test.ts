import { encodeWebhookMessage } from '../src/protocol/webhookMessage';

describe('encodeWebhookMessage', () => {
  const meta = { id: 7, receivedAt: '2026-11-27T20:00:00.000Z', event: 'ticket_created', bodySha256: 'ab' };

  it('splices a raw JSON body into the same document as serialising the parsed payload', () => {
    const raw = '{\n    "event": "ticket_created",\n    "details": {"name": "Pr\\u00e9vente", "n": [1, 2]}\n}';
    const spliced = JSON.parse(encodeWebhookMessage({ ...meta, payloadJson: raw }).toString()) as unknown;
    const serialised = JSON.parse(encodeWebhookMessage({ ...meta, payload: JSON.parse(raw) }).toString()) as unknown;
    expect(spliced).toEqual(serialised);
    expect(spliced).toEqual({ ...meta, payload: { event: 'ticket_created', details: { name: 'Prévente', n: [1, 2] } } });
  });
});
