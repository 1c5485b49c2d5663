import * as amqp from 'amqplib';
import { BrokerConnection, declaredFunctions } from '../../functions/src';
import { deadLetterRecorderFunction } from '../../functions/src/functions/deadLetterRecorder';
import { eraseBuyerHandler } from '../../functions/src/functions/eraseBuyer';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { queryOnce } from '../support/db';
import { TEST_RABBITMQ_URL } from '../support/env';
import { startTestStack, type TestStack } from '../support/host';
import { waitUntil } from '../support/wait';
import { postWebhook, ticketBody, PRIVATE_BUYER, PRIVATE_BUYER_VALUES } from '../support/webhooks';

/**
 * Erasure reaches every copy the project controls: besides the stored webhooks, the reasons kept
 * for their dead letters and relay failures, and the messages of the ticket that petzi.relay.dlq
 * holds, which are put back without the buyer. On the real Postgres and RabbitMQ; the dead-letter
 * recorder does not run here, so the dead-letter queue keeps what the relay gives up on.
 */
const ADMIN = 'erasure-admin-key-5e0c';
const BUYER = PRIVATE_BUYER;
const PERSONAL = PRIVATE_BUYER_VALUES;
const POISON = 'POISON ERASE';

function withBuyer(n: number, ticket: Record<string, unknown> = {}): string {
  const body = JSON.parse(ticketBody(n, ticket)) as { details: { buyer: unknown } };
  body.details.buyer = BUYER;
  return JSON.stringify(body);
}

interface Held {
  content: string;
  headers: Record<string, unknown>;
}

let stack: TestStack;
let connection: amqp.ChannelModel;
let channel: amqp.Channel;
let dlq: string;

/** Every message of the dead-letter queue, in order, given back afterwards (a consumer-less peek). */
async function peekQueue(): Promise<Held[]> {
  const peek = await connection.createChannel();
  try {
    const held: Held[] = [];
    for (;;) {
      const message = await peek.get(dlq, { noAck: false });
      if (message === false) break;
      held.push({ content: message.content.toString('utf8'), headers: message.properties.headers ?? {} });
    }
    peek.nackAll(true);
    return held;
  } finally {
    await peek.close();
  }
}

const idOf = (held: Held): unknown => {
  try {
    return (JSON.parse(held.content) as { id?: unknown }).id;
  } catch {
    return held.content;
  }
};

beforeAll(async () => {
  stack = await startTestStack({
    env: { PETZI_ADMIN_KEY: ADMIN },
    functions: declaredFunctions().filter((fn) => fn.name !== deadLetterRecorderFunction.name),
  });
  dlq = stack.host.deps.topology.relayDeadLetterQueue;
  connection = await amqp.connect(TEST_RABBITMQ_URL);
  channel = await connection.createChannel();
});

afterAll(async () => {
  await channel?.close();
  await connection?.close();
  await stack?.stop();
});

describe('DELETE /api/tickets/{number}/buyer', () => {
  let poisoned: number;

  it('takes the buyer out of the dead-letter queue and the dead-letter reasons, and leaves every other message as it was', async () => {
    // A relay failure no retry helps: this ticket's message ends in the dead-letter queue after five tries.
    await queryOnce(stack.db.url, `ALTER TABLE ticket ADD CONSTRAINT test_erase_poison CHECK (title <> '${POISON}')`);
    const reply = await postWebhook(stack.url, withBuyer(1, { title: POISON }));
    expect(reply.status).toBe(200);
    poisoned = reply.json.id as number;
    await waitUntil(
      async () => ((await channel.checkQueue(dlq)).messageCount === 1 ? true : undefined),
      20_000,
      'the dead letter',
    );
    // Beside it: a message naming the ticket but no stored webhook, another ticket's, and bytes nobody can read.
    const unknownEvent = {
      id: 55_555,
      receivedAt: new Date().toISOString(),
      event: 'ticket_scanned',
      bodySha256: '',
      payload: JSON.parse(withBuyer(1)) as unknown,
    };
    channel.sendToQueue(dlq, Buffer.from(JSON.stringify(unknownEvent)), {
      persistent: true,
      headers: { 'x-ms-rabbitmq-requeuecount': 4 },
    });
    const other = {
      id: 66_666,
      receivedAt: new Date().toISOString(),
      event: 'ticket_created',
      bodySha256: '',
      payload: JSON.parse(withBuyer(2)) as unknown,
    };
    channel.sendToQueue(dlq, Buffer.from(JSON.stringify(other)), { persistent: true });
    channel.sendToQueue(dlq, Buffer.from(`not json ${BUYER.lastName}`), { persistent: true });
    await waitUntil(
      async () => ((await channel.checkQueue(dlq)).messageCount === 4 ? true : undefined),
      5_000,
      'four messages',
    );
    // Reasons that quoted the buyer (an error text that echoed a value), as Postgres keeps them.
    await queryOnce(
      stack.db.url,
      `UPDATE relay_failure SET reason = reason || ' (' || $2 || ')' WHERE webhook_id = $1`,
      [poisoned, BUYER.email],
    );
    await queryOnce(
      stack.db.url,
      `INSERT INTO dead_letter (webhook_id, kind, reason, tries) VALUES ($1, 'error', $2, 5)`,
      [poisoned, `bad value "${BUYER.lastName}, ${BUYER.firstName}"`],
    );
    const before = await peekQueue();

    const response = await fetch(`${stack.url}/api/tickets/TEST00000001/buyer`, {
      method: 'DELETE',
      headers: { 'x-functions-key': ADMIN },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ticket: 'TEST00000001',
      webhooks: 1,
      erased: 1,
      deadLetterReasons: 2,
      deadLetterQueue: 2,
    });

    const after = await peekQueue();
    // Same messages, same order: the two of the ticket were put back in place of the originals, at the end.
    expect(after.map(idOf).sort()).toEqual(before.map(idOf).sort());
    const ofTicket = after.filter((h) => [poisoned, 55_555].includes(idOf(h) as number));
    expect(ofTicket).toHaveLength(2);
    for (const held of ofTicket) {
      for (const value of PERSONAL) expect(held.content).not.toContain(value);
      const message = JSON.parse(held.content) as {
        bodySha256: string;
        payload: { details: { buyer: unknown; ticket: { number: string } } };
      };
      expect(message.payload.details).toMatchObject({
        buyer: { role: 'customer', erased: true },
        ticket: { number: 'TEST00000001' },
      });
      expect(held.headers['x-petzi-buyer-erased']).toBe(true);
    }
    // The relay's dead-lettering headers travel with the copy.
    const relayed = ofTicket.find((h) => idOf(h) === poisoned);
    expect(relayed?.headers).toMatchObject({ 'x-ms-rabbitmq-requeuecount': 4, 'x-death': expect.any(Array) });
    expect(after.find((h) => idOf(h) === 66_666)?.content).toBe(before.find((h) => idOf(h) === 66_666)?.content);
    expect(after.find((h) => idOf(h) === `not json ${BUYER.lastName}`)).toBeDefined();

    const reasons = await queryOnce<{ reason: string }>(
      stack.db.url,
      'SELECT reason FROM dead_letter WHERE webhook_id = $1 UNION ALL SELECT reason FROM relay_failure WHERE webhook_id = $1',
      [poisoned],
    );
    expect(reasons.map((r) => r.reason)).toEqual([
      `bad value "[erased], [erased]"`,
      expect.stringMatching(/violates check constraint "test_erase_poison" \(\[erased\]\)$/),
    ]);

    // Again: nothing left to erase, and nothing changes.
    const again = await fetch(`${stack.url}/api/tickets/TEST00000001/buyer`, {
      method: 'DELETE',
      headers: { 'x-functions-key': ADMIN },
    });
    expect(await again.json()).toEqual({
      ticket: 'TEST00000001',
      webhooks: 1,
      erased: 0,
      deadLetterReasons: 0,
      deadLetterQueue: 0,
    });
    expect((await peekQueue()).map((h) => h.content)).toEqual(after.map((h) => h.content));
  });

  it('leaves a message without its buyer that a redrive still relays: its id and body hash are the stored ones', async () => {
    await queryOnce(stack.db.url, 'ALTER TABLE ticket DROP CONSTRAINT test_erase_poison');
    const held = (await peekQueue()).find((h) => idOf(h) === poisoned);
    if (!held) throw new Error('the erased dead letter is gone');
    channel.sendToQueue(stack.host.deps.topology.relayQueue, Buffer.from(held.content), { persistent: true });
    await waitUntil(
      async () =>
        (await queryOnce(stack.db.url, 'SELECT 1 FROM live_event WHERE webhook_id = $1', [poisoned])).length === 1
          ? true
          : undefined,
      10_000,
      'relayed',
    );
    const [ticket] = await queryOnce<{ title: string; buyer_role: string }>(
      stack.db.url,
      "SELECT title, buyer_role FROM ticket WHERE number = 'TEST00000001'",
    );
    expect(ticket).toEqual({ title: POISON, buyer_role: 'customer' });
  });

  it('answers 503 when the broker is unreachable, after erasing what Postgres holds, and the request can be repeated', async () => {
    expect((await postWebhook(stack.url, withBuyer(2))).status).toBe(200);
    const closed = await BrokerConnection.open(TEST_RABBITMQ_URL);
    await closed.close();
    const handler = eraseBuyerHandler({ ...stack.host.deps, broker: closed });
    const request = new HttpRequest({
      method: 'DELETE',
      url: `${stack.url}/api/tickets/TEST00000002/buyer`,
      params: { number: 'TEST00000002' },
    });
    const response = (await handler(
      request,
      new InvocationContext({ functionName: 'eraseBuyer', logHandler: () => undefined }),
    )) as HttpResponseInit;
    expect(response.status).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': '5' });
    expect(response.jsonBody).toEqual({
      error: 'Stored webhooks erased (1), but the dead-letter queue is unreachable: repeat the request',
    });
    const [stored] = await queryOnce<{ buyer: unknown }>(
      stack.db.url,
      "SELECT payload #> '{details,buyer}' AS buyer FROM webhook_event WHERE ticket_number = 'TEST00000002'",
    );
    expect(stored.buyer).toEqual({ role: 'customer', erased: true });
    // Repeated with the broker back, the erasure reaches the queue: the other ticket's message, left alone above, loses
    // its buyer now.
    const retry = await fetch(`${stack.url}/api/tickets/TEST00000002/buyer`, {
      method: 'DELETE',
      headers: { 'x-functions-key': ADMIN },
    });
    expect(await retry.json()).toEqual({
      ticket: 'TEST00000002',
      webhooks: 1,
      erased: 0,
      deadLetterReasons: 0,
      deadLetterQueue: 1,
    });
    for (const held of await peekQueue())
      for (const value of PERSONAL)
        if (idOf(held) !== `not json ${BUYER.lastName}`) expect(held.content).not.toContain(value);
  });
});
