import http from 'node:http';
import { TEST_RABBITMQ_URL } from '../support/env';

/** A minimal client for RabbitMQ's management HTTP API (one connection per call, nothing left open). */
const BASE = new URL(process.env.TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://127.0.0.1:15672');
const amqpUrl = new URL(TEST_RABBITMQ_URL);
const AUTH = `Basic ${Buffer.from(`${decodeURIComponent(amqpUrl.username || 'guest')}:${decodeURIComponent(amqpUrl.password || 'guest')}`).toString('base64')}`;

export async function management<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const request = http.request(
      new URL(path, BASE),
      {
        method,
        agent: false,
        headers: {
          authorization: AUTH,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status >= 400) reject(new Error(`${method} ${path}: HTTP ${status} ${text}`));
          else resolve((text === '' ? undefined : JSON.parse(text)) as T);
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

export function vhostPath(vhost: string): string {
  return encodeURIComponent(vhost);
}

/** The amqp URL of the test broker on another vhost. */
export function amqpUrlFor(vhost: string): string {
  const url = new URL(TEST_RABBITMQ_URL);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return url.toString();
}
