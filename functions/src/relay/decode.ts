import type { WebhookMessage } from '../protocol/webhookMessage';
import { isPositiveId } from '../protocol/ids';
import { isJsonObject } from '../protocol/schema';

/** A message the relay can never handle, whatever the retries: it ends in the dead-letter queue. */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
}

/**
 * The trigger may hand over a Buffer (local host, bytes), a string, or an already parsed object
 * (the Functions worker parses JSON strings): all become one checked WebhookMessage.
 */
export function decodeWebhookMessage(input: unknown): WebhookMessage {
  let value: unknown = input;
  // A view of the bytes, not a copy (Buffer.from(buffer) copies them).
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  else if (value instanceof Uint8Array) value = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new PoisonMessageError('message is not JSON');
    }
  }
  if (!isJsonObject(value)) throw new PoisonMessageError('message is not a JSON object');
  const { id, receivedAt, event, bodySha256, payload } = value;
  if (!isPositiveId(id)) throw new PoisonMessageError('message has no valid id');
  if (typeof receivedAt !== 'string' || Number.isNaN(Date.parse(receivedAt))) throw new PoisonMessageError('message has no valid receivedAt');
  if (typeof event !== 'string') throw new PoisonMessageError('message has no event');
  if (!isJsonObject(payload)) throw new PoisonMessageError('message has no payload object');
  return { id, receivedAt, event, bodySha256: typeof bodySha256 === 'string' ? bodySha256 : '', payload };
}
