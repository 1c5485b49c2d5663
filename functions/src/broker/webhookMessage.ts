import type { BrokerConnection } from './connection';

/** What `petzi.webhooks` carries: the stored row's identity and the PETZI payload. */
export interface WebhookMessage {
  id: number;
  receivedAt: string;
  event: string;
  bodySha256: string;
  payload: unknown;
}

export function encodeWebhookMessage(message: WebhookMessage): Buffer {
  return Buffer.from(JSON.stringify(message));
}

export async function publishWebhook(broker: BrokerConnection, exchange: string, message: WebhookMessage): Promise<void> {
  await broker.publish(exchange, message.event, encodeWebhookMessage(message), {
    persistent: true,
    contentType: 'application/json',
    messageId: String(message.id),
    type: message.event,
    timestamp: Math.floor(Date.parse(message.receivedAt) / 1000),
  });
}
