import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { queryOnce } from '../support/db';
import { startTestStack, type TestStack } from '../support/host';
import { postWebhook, ticketBody } from '../support/webhooks';
import {
  startHttpClientThread,
  type HttpClientThread,
  type RawHttpReply,
  type RawHttpRequest,
} from './httpClientThread';
import { fuzzSeed } from './seed';
import { MAX_BODY_BYTES, fuzzCases, signatureHeader, type FuzzCase } from './webhookCases';

/**
 * 10,000 hostile requests to POST /webhook on a real in-process host (real Postgres and
 * RabbitMQ). Every reply must be a 200 or a 4xx with a JSON body (`error` on a 4xx), never a
 * 5xx; a known outcome must be the one given; a 200 must be stored; and the host's memory must
 * not grow with the number of requests.
 */
const SEED = fuzzSeed();
const CASES = Number(process.env.FUZZ_CASES ?? 10_000);
const WARM_UP = Math.min(1000, Math.floor(CASES / 10));
const CONCURRENCY = 16;
const CHUNK = 250;
/**
 * Allowed RSS growth between warm-up and the end. A leak of even 10 KB per request would show as
 * ~90 MB over 9,000 requests; 64 MiB leaves room for what is legitimately retained (V8 growing its
 * heap spaces, pg/amqplib buffers, prom-client series, jest's own bookkeeping) without hiding one.
 */
const RSS_GROWTH_LIMIT = 64 * 1024 * 1024;

let stack: TestStack;
let client: HttpClientThread;

beforeAll(async () => {
  stack = await startTestStack();
  client = startHttpClientThread({
    host: '127.0.0.1',
    port: stack.host.port,
    maxSockets: CONCURRENCY,
    timeoutMs: 20_000,
  });
});

afterAll(async () => {
  await client?.close();
  await stack.stop();
});

type Reply = Exclude<RawHttpReply, { closed: string }>;

/** The request exactly as the case says: chunked or with a length, any content type, any signature. */
function requestFor(c: FuzzCase): RawHttpRequest {
  const headers: Record<string, string> = { 'Petzi-Version': '2', 'User-Agent': 'PETZI webhook' };
  const signature = signatureHeader(c);
  if (signature !== undefined) headers['Petzi-Signature'] = signature;
  if (c.contentType !== null) headers['Content-Type'] = c.contentType;
  if (c.chunked) headers['Transfer-Encoding'] = 'chunked';
  else headers['Content-Length'] = String(c.body.length);
  return { method: c.method, path: '/webhook', headers, body: c.body };
}

async function send(c: FuzzCase): Promise<Reply | { closed: string }> {
  const reply = await client.send(requestFor(c));
  // Only an oversized body may be answered by a closed socket (the host stops reading it).
  if ('closed' in reply && c.body.length <= MAX_BODY_BYTES)
    throw new Error(`socket closed (${reply.closed}) without a reply to ${describeCase(c)}`);
  return reply;
}

interface Tally {
  byStatus: Map<number, number>;
  byKind: Map<string, Map<number | string, number>>;
  closed: number;
  failures: string[];
  /** sha256 of every body that got a 200 → the id it was given. */
  stored: Map<string, number>;
}

function describeCase(c: FuzzCase): string {
  const preview = c.body.subarray(0, 160).toString('utf8');
  return `${c.kind} ${c.method} signing=${JSON.stringify(c.signing).slice(0, 80)} chunked=${c.chunked} ct=${JSON.stringify(c.contentType)} body(${c.body.length})=${JSON.stringify(preview)}`;
}

function check(c: FuzzCase, reply: Reply | { closed: string }, tally: Tally): void {
  const kind = tally.byKind.get(c.kind) ?? new Map<number | string, number>();
  tally.byKind.set(c.kind, kind);
  if ('closed' in reply) {
    tally.closed += 1;
    kind.set(reply.closed, (kind.get(reply.closed) ?? 0) + 1);
    return;
  }
  tally.byStatus.set(reply.status, (tally.byStatus.get(reply.status) ?? 0) + 1);
  kind.set(reply.status, (kind.get(reply.status) ?? 0) + 1);
  const fail = (why: string) => {
    if (tally.failures.length < 20)
      tally.failures.push(`${why}: got ${reply.status} ${reply.text.slice(0, 300)} for ${describeCase(c)}`);
  };
  if (reply.status !== 200 && (reply.status < 400 || reply.status > 499)) return fail('not a 200 or a 4xx');
  if (c.expect !== undefined && reply.status !== c.expect) return fail(`expected ${c.expect}`);
  if (!reply.contentType?.startsWith('application/json')) return fail('not JSON');
  let json: unknown;
  try {
    json = JSON.parse(reply.text);
  } catch {
    return fail('unparseable JSON');
  }
  const body = json as Record<string, unknown>;
  if (reply.status === 200) {
    if (c.signing.mode !== 'valid') return fail('accepted without a valid signature');
    if (!(body.status === 'success' || body.status === 'duplicate') || !Number.isInteger(body.id))
      return fail('200 without status and id');
    const sha = createHash('sha256').update(c.body).digest('hex');
    const known = tally.stored.get(sha);
    if (known !== undefined && known !== body.id) return fail(`same body stored as ${known} and ${String(body.id)}`);
    tally.stored.set(sha, body.id as number);
  } else if (typeof body.error !== 'string' || body.error === '') {
    return fail('4xx without an error message');
  }
}

/** Cases are drawn lazily, CHUNK at a time, each chunk from its own derived seed: deterministic, bounded memory. */
function* cases(total: number, seed: number): Generator<FuzzCase> {
  for (let start = 0; start < total; start += CHUNK) {
    yield* fc.sample(fuzzCases, { seed: seed + start, numRuns: Math.min(CHUNK, total - start) });
  }
}

async function runAll(
  source: Iterator<FuzzCase>,
  count: number,
  tally: Tally,
  onThousand: () => void = () => undefined,
): Promise<void> {
  let taken = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      if (taken >= count) return;
      const next = source.next();
      if (next.done) return;
      taken += 1;
      check(next.value, await send(next.value), tally);
      done += 1;
      if (done % 1000 === 0) onThousand();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** A full collection when the runtime allows it: --expose-gc, or V8's flag set at run time. */
function collectGarbage(): string {
  let gc = (globalThis as { gc?: () => void }).gc;
  let how = '--expose-gc';
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as (() => void) | undefined;
    how = 'v8 flag at run time';
  }
  if (!gc) return 'unavailable';
  gc();
  gc();
  return how;
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

describe(`POST /webhook under ${CASES} fuzzed requests (seed ${SEED})`, () => {
  it(
    'never answers 5xx, always JSON, a 4xx always with an error, and stores every 200; RSS stays flat',
    async () => {
      console.log(
        `webhook fuzz seed ${SEED}, ${CASES} cases, ${CONCURRENCY} at a time (FUZZ_SEED / FUZZ_CASES to change)`,
      );
      const tally: Tally = { byStatus: new Map(), byKind: new Map(), closed: 0, failures: [], stored: new Map() };
      const source = cases(CASES, SEED);
      const started = Date.now();

      await runAll(source, WARM_UP, tally);
      const gcHow = collectGarbage();
      const before = process.memoryUsage();
      const warmedAt = Date.now();
      // Sampled without forcing a collection: the curve shows whether RSS climbs or plateaus.
      const samples: number[] = [];
      await runAll(source, CASES - WARM_UP, tally, () => samples.push(mib(process.memoryUsage().rss)));
      const measuredMs = Date.now() - warmedAt;
      collectGarbage();
      const after = process.memoryUsage();
      const totalMs = Date.now() - started;

      const sent = [...tally.byStatus.values()].reduce((a, b) => a + b, 0) + tally.closed;
      const kinds = Object.fromEntries([...tally.byKind].map(([k, statuses]) => [k, Object.fromEntries(statuses)]));
      console.log(
        [
          `sent ${sent} in ${(totalMs / 1000).toFixed(1)} s (${Math.round(sent / (totalMs / 1000))}/s); statuses ${JSON.stringify(Object.fromEntries(tally.byStatus))}; closed on oversize ${tally.closed}`,
          `by kind ${JSON.stringify(kinds)}`,
          `RSS after ${WARM_UP} warm-up cases ${mib(before.rss)} MiB, after ${CASES - WARM_UP} more ${mib(after.rss)} MiB (growth ${mib(after.rss - before.rss)} MiB, limit ${mib(RSS_GROWTH_LIMIT)}); heap used ${mib(before.heapUsed)} → ${mib(after.heapUsed)} MiB, external ${mib(before.external)} → ${mib(after.external)} MiB; GC: ${gcHow}; measured phase ${(measuredMs / 1000).toFixed(1)} s`,
          `RSS every 1000 cases after warm-up (MiB): ${samples.join(', ')}`,
          `distinct bodies stored ${tally.stored.size}`,
        ].join('\n'),
      );

      expect(tally.failures).toEqual([]);
      expect(sent).toBe(CASES);
      expect(after.rss - before.rss).toBeLessThan(RSS_GROWTH_LIMIT);

      // Every 200 is a committed row with that body's hash, and nothing else was stored.
      const rows = await queryOnce<{ id: string; body_sha256: string }>(
        stack.db.url,
        'SELECT id, body_sha256 FROM webhook_event',
      );
      const inDb = new Map(rows.map((r) => [r.body_sha256, Number(r.id)]));
      expect(inDb.size).toBe(tally.stored.size);
      for (const [sha, id] of tally.stored) expect({ sha, id: inDb.get(sha) }).toEqual({ sha, id });

      // And the host is still whole.
      const health = await fetch(`${stack.url}/api/health`);
      expect(health.status).toBe(200);
      await health.arrayBuffer();
      expect((await postWebhook(stack.url, ticketBody(123_456_789))).status).toBe(200);
      // A hang, not slowness, is what this bound catches: ~35 s is typical for 10,000 cases on 2 cores.
    },
    Math.max(120_000, CASES * 20),
  );
});
