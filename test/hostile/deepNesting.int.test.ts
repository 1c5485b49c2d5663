import fc from 'fast-check';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../functions/src/functions/webhook';
import { queryOnce } from '../support/db';
import { startTestStack, type TestStack } from '../support/host';
import { postWebhook, ticketBody } from '../support/webhooks';
import { fuzzSeed } from './seed';

/** Nesting depth of a parsed JSON value, the slow obvious way (fine for generated values). */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (typeof value === 'object' && value !== null) return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe('nestsDeeperThan', () => {
  it('agrees with the depth of the parsed value, brackets inside strings and escaped quotes included', () => {
    const tricky = fc.oneof(fc.string(), fc.constantFrom('[', ']', '{', '}', '\\"[', '"', '\\', '\\\\"{{'));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        tricky,
        fc.integer(),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(tricky, tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 12 }), (v, limit) => {
        const body = Buffer.from(JSON.stringify(v), 'utf8');
        expect(nestsDeeperThan(body, limit)).toBe(depthOf(v) > limit);
      }),
      { seed: fuzzSeed(), numRuns: 2000 },
    );
  });
});

describe('POST /webhook with deeply nested bodies', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const nested = (depth: number) => `{"event":"deep_event","details":${'['.repeat(depth)}${']'.repeat(depth)}}`;

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more with a 400 JSON error`, async () => {
    expect((await postWebhook(stack.url, nested(MAX_JSON_DEPTH - 1))).status).toBe(200);
    expect(await postWebhook(stack.url, nested(MAX_JSON_DEPTH))).toMatchObject({
      status: 400,
      json: { error: `Body nests deeper than ${MAX_JSON_DEPTH} levels`, limit: MAX_JSON_DEPTH },
    });
  });

  it('refuses 50,000 levels without failing the valid webhooks that arrive with it', async () => {
    // Before the limit, JSON.stringify overflowed the stack while storing the deep body and the
    // whole group-commit batch, including these valid tickets, got a 500.
    const replies = await Promise.all([
      postWebhook(stack.url, nested(50_000)),
      ...Array.from({ length: 10 }, (_, i) => postWebhook(stack.url, ticketBody(i))),
      postWebhook(
        stack.url,
        ticketBody(99).replace('"promoter":', `"nested":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)},"promoter":`),
      ),
    ]);
    expect(replies.map((r) => r.status)).toEqual([400, ...Array(10).fill(200), 400]);
    const rows = await queryOnce<{ n: string }>(
      stack.db.url,
      "SELECT count(*) AS n FROM webhook_event WHERE event_type = 'ticket_created'",
    );
    expect(Number(rows[0].n)).toBe(10);
  });
});
