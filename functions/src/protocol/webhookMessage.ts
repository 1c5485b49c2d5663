import type { BrokerConnection } from '../broker/connection';
import { isJsonObject } from './schema';

/**
 * The `petzi.webhooks` message (docs/protocol.md): the stored row's identity and the PETZI
 * payload, published by ingest and the outbox, consumed by the relay. Encoder and decoder are here
 * side by side; functions/test/webhookMessage.test.ts holds their round trips.
 */
export interface WebhookMessage {
  id: number;
  receivedAt: string;
  event: string;
  bodySha256: string;
  payload: unknown;
}

/** The same message with the payload still as the JSON text it arrived as. */
export type RawWebhookMessage = Omit<WebhookMessage, 'payload'> & { payloadJson: string };

/** A webhook id (webhook_event.id) or a live event's seq: a positive integer that a JavaScript number holds exactly. */
export function isPositiveId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

export function encodeWebhookMessage(message: WebhookMessage | RawWebhookMessage): Buffer {
  if (!('payloadJson' in message)) return Buffer.from(JSON.stringify(message));
  // The verified body is already JSON: splice it in rather than parse and serialise it again.
  const { payloadJson, ...meta } = message;
  return Buffer.from(`${JSON.stringify(meta).slice(0, -1)},"payload":${payloadJson}}`);
}

export async function publishWebhook(
  broker: BrokerConnection,
  exchange: string,
  message: WebhookMessage | RawWebhookMessage,
): Promise<void> {
  await broker.publish(exchange, message.event, encodeWebhookMessage(message), {
    persistent: true,
    contentType: 'application/json',
    messageId: String(message.id),
    type: message.event,
    timestamp: Math.floor(Date.parse(message.receivedAt) / 1000),
  });
}

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
  else if (value instanceof Uint8Array)
    value = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
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
  if (typeof receivedAt !== 'string' || Number.isNaN(Date.parse(receivedAt)))
    throw new PoisonMessageError('message has no valid receivedAt');
  if (typeof event !== 'string') throw new PoisonMessageError('message has no event');
  if (!isJsonObject(payload)) throw new PoisonMessageError('message has no payload object');
  return { id, receivedAt, event, bodySha256: typeof bodySha256 === 'string' ? bodySha256 : '', payload };
}
