import { createHash } from 'node:crypto';
import http from 'node:http';
import { signPayload } from '../../functions/src';
import { PayloadGenerator, todayUtc } from '../../simulator/src/payloads';

export interface Reply {
  sentAt: number;
  /** When the reply had been read in full. */
  repliedAt?: number;
  status: number;
  /** Row id of a 200 reply. */
  id?: number;
  duplicate?: boolean;
  /** The Retry-After header of a refusal (a 503 must carry one). */
  retryAfter?: string;
  error?: string;
  /** sha256 (hex) of the body sent: what the pipeline dedupes on, so an unanswered request can be looked up. */
  bodySha256: string;
}

export interface LoadOptions {
  /** Where each request goes; called per request so a run can spread over several hosts. */
  target: (index: number) => string;
  secret: string;
  rate: number;
  /** How many to send; Infinity with `stop` sends until stopped. */
  count: number;
  /** Sends no more once aborted; those in flight are still awaited. */
  stop?: AbortSignal;
  /** Called as each request leaves, and with each reply as it comes (a long run checks them while it goes on). */
  onSend?: (sentAt: number) => void;
  onReply?: (reply: Reply) => void;
  seed: number;
  /** Bodies to send instead of generated ones (index modulo length). */
  bodies?: string[];
  concurrency?: number;
}

/** Sends `count` signed webhooks at a steady `rate`, each signed just before it leaves. */
export async function steadyLoad(options: LoadOptions): Promise<Reply[]> {
  const generator = new PayloadGenerator({ seed: options.seed, mode: 'ticket_created', baseDate: todayUtc() });
  // A kept-alive socket idle for the server's keep-alive timeout (5 s) is closed by the server, and a
  // request written as that FIN arrives fails: let idle sockets go first, as a careful sender does.
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency ?? 64, timeout: 4_000 });
  const replies: Reply[] = [];
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < options.count && !options.stop?.aborted; i += 1) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight.size >= (options.concurrency ?? 64)) await Promise.race(inFlight);
    if (options.stop?.aborted) break;
    const body = options.bodies ? options.bodies[i % options.bodies.length] : generator.next().body;
    const sentAt = Date.now();
    options.onSend?.(sentAt);
    const work = send(options.target(i), body, options.secret, agent, sentAt).then((reply) => {
      replies.push(reply);
      options.onReply?.(reply);
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return replies;
}

export function send(
  url: string,
  body: string,
  secret: string,
  agent: http.Agent,
  sentAt = Date.now(),
): Promise<Reply> {
  const bodySha256 = createHash('sha256').update(body, 'utf8').digest('hex');
  return new Promise((resolve) => {
    const request = http.request(
      `${url}/webhook`,
      {
        method: 'POST',
        agent,
        timeout: 15_000,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'Petzi-Signature': signPayload(secret, body, Math.floor(Date.now() / 1000)),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (c: string) => (text += c));
        response.on('end', () => {
          const reply: Reply = { sentAt, repliedAt: Date.now(), status: response.statusCode ?? 0, bodySha256 };
          const retryAfter = response.headers['retry-after'];
          if (retryAfter !== undefined) reply.retryAfter = retryAfter;
          if (reply.status === 200) {
            const parsed = JSON.parse(text) as { id: number; status: string };
            reply.id = parsed.id;
            reply.duplicate = parsed.status === 'duplicate';
          }
          resolve(reply);
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve({ sentAt, status: 0, error: error.message, bodySha256 }));
    request.end(body);
  });
}

/**
 * Sends fresh signed webhooks to one host, one at a time, until one is answered 200 or
 * `timeoutMs` passes: the proof that the host serves again after a fault. Returns every reply.
 */
export async function probeUntilOk(
  url: string,
  secret: string,
  options: { seed: number; timeoutMs: number; everyMs?: number },
): Promise<Reply[]> {
  const generator = new PayloadGenerator({ seed: options.seed, mode: 'ticket_created', baseDate: todayUtc() });
  const agent = new http.Agent({ keepAlive: false });
  const deadline = Date.now() + options.timeoutMs;
  const replies: Reply[] = [];
  try {
    while (Date.now() < deadline) {
      const reply = await send(url, generator.next().body, secret, agent);
      replies.push(reply);
      if (reply.status === 200) break;
      await new Promise((r) => setTimeout(r, options.everyMs ?? 100));
    }
  } finally {
    agent.destroy();
  }
  return replies;
}
