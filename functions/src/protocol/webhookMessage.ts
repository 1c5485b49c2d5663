import type { BrokerConnection } from '../broker/connection';

/** What `petzi.webhooks` carries: the stored row's identity and the PETZI payload. */
export interface WebhookMessage {
  id: number;
  receivedAt: string;
  event: string;
  bodySha256: string;
  payload: unknown;
}

/** The same message with the payload still as the JSON text it arrived as. */
export type RawWebhookMessage = Omit<WebhookMessage, 'payload'> & { payloadJson: string };

export function encodeWebhookMessage(message: WebhookMessage | RawWebhookMessage): Buffer {
  if (!('payloadJson' in message)) return Buffer.from(JSON.stringify(message));
  // The verified body is already JSON: splice it in rather than parse and serialise it again.
  const { payloadJson, ...meta } = message;
  return Buffer.from(`${JSON.stringify(meta).slice(0, -1)},"payload":${payloadJson}}`);
}

export async function publishWebhook(broker: BrokerConnection, exchange: string, message: WebhookMessage | RawWebhookMessage): Promise<void> {
  await broker.publish(exchange, message.event, encodeWebhookMessage(message), {
    persistent: true,
    contentType: 'application/json',
    messageId: String(message.id),
    type: message.event,
    timestamp: Math.floor(Date.parse(message.receivedAt) / 1000),
  });
}
