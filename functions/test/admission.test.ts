import { HttpRequest } from '@azure/functions';
import { createHash } from 'node:crypto';
import { Registry } from 'prom-client';
import { admitWebhook, MAX_JSON_DEPTH, type AdmissionRules, type RequestFacts } from '../src/ingest/admission';
import { startDelivery, type DeliveryRecord } from '../src/ingest/delivery';
import { createPipelineMetrics } from '../src/metrics/pipelineMetrics';
import { signPayload } from '../src/protocol/signature';
import { sample } from '../../test/support/webhooks';

const SECRET = 'secret';
const NOW = 1_764_000_000_000;
const rules: AdmissionRules = { maxBodyBytes: 4096, secrets: [SECRET], toleranceSeconds: 300, now: () => NOW };
const t = NOW / 1000;

function request(
  body: string | Buffer,
  options: { method?: string; headers?: Record<string, string>; signature?: string | null } = {},
): HttpRequest {
  const signature = options.signature === undefined ? signPayload(SECRET, body, t) : options.signature;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (signature !== null) headers['petzi-signature'] = signature;
  const method = options.method ?? 'POST';
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return new HttpRequest({ url: 'http://localhost/webhook', method, headers, body: { bytes } });
}

async function admit(req: HttpRequest) {
  const facts: RequestFacts = {};
  return { result: await admitWebhook(req, rules, facts), facts };
}

describe('admitWebhook (POST /webhook before the store)', () => {
  it('admits a real PETZI body: its text and hash, each computed once, and the signed time', async () => {
    const body = sample('ticket_created.indented-ascii.json');
    const sha = createHash('sha256').update(body).digest('hex');
    const { result, facts } = await admit(request(body));
    expect(result).toEqual({
      admitted: { eventType: 'ticket_created', bodySha256: sha, signatureTimestamp: t, rawBody: body.toString('utf8') },
    });
    expect(facts).toEqual({ bodyBytes: body.length, bodySha256: sha, signatureTimestamp: t });
  });

  it('admits an event this version does not know: stored, never lost', async () => {
    const { result } = await admit(request('{"event":"ticket_scanned","details":{}}'));
    expect(result).toMatchObject({ admitted: { eventType: 'ticket_scanned' } });
  });

  const nested = (depth: number) => `{"event":"x","d":${'['.repeat(depth)}${']'.repeat(depth)}}`;
  it.each([
    [
      'a GET',
      request('{}', { method: 'GET' }),
      'method_not_allowed',
      405,
      { error: 'Method not allowed: use POST', allow: ['POST'] },
      { Allow: 'POST' },
    ],
    [
      'a body over the limit',
      request('x'.repeat(4097)),
      'payload_too_large',
      413,
      { error: 'Payload too large', limitBytes: 4096 },
      { Connection: 'close' },
    ],
    ['no signature', request('{}', { signature: null }), 'signature_missing', 401, { reason: 'missing' }, {}],
    [
      'a wrong secret',
      request('{}', { signature: signPayload('other', '{}', t) }),
      'signature_mismatch',
      401,
      { reason: 'mismatch' },
      {},
    ],
    [
      'an old signature',
      request('{}', { signature: signPayload(SECRET, '{}', t - 301) }),
      'signature_too_old',
      401,
      { reason: 'too_old' },
      {},
    ],
    [
      'too deep',
      request(nested(MAX_JSON_DEPTH)),
      'too_deep',
      400,
      { error: `Body nests deeper than ${MAX_JSON_DEPTH} levels`, limit: MAX_JSON_DEPTH },
      {},
    ],
    ['not JSON', request('{"event": '), 'invalid_json', 400, { error: 'Body is not valid JSON' }, {}],
    ['not an object', request('[1]'), 'not_an_object', 400, { error: 'Body must be a JSON object' }, {}],
    [
      'NUL in a string',
      request('{"event":"ticket_created","x":"a\\u0000b"}'),
      'unstorable',
      422,
      { error: 'Payload contains values that cannot be stored' },
      {},
    ],
    [
      'a ticket without its fields',
      request('{"event":"ticket_created","details":{}}'),
      'schema',
      422,
      { error: 'Payload does not match the PETZI webhook schema', event: 'ticket_created' },
      {},
    ],
  ])('refuses %s: %s, %i', async (_what, req, reason, status, body, headers) => {
    const { result } = await admit(req);
    expect(result).toMatchObject({
      status: 'error',
      reason,
      response: { status, jsonBody: body, headers: { 'Cache-Control': 'no-store', ...headers } },
    });
  });

  it('keeps what it learnt before a refusal, for the delivery log', async () => {
    expect((await admit(request('{}', { method: 'PUT' }))).facts).toEqual({});
    expect((await admit(request('{}', { signature: null }))).facts).toEqual({
      bodyBytes: 2,
      bodySha256: createHash('sha256').update('{}').digest('hex'),
    });
    expect((await admit(request('[1]'))).facts).toMatchObject({ bodyBytes: 3, signatureTimestamp: t });
  });
});

describe('startDelivery (the trace of one request)', () => {
  function trace() {
    const registry = new Registry();
    const metrics = createPipelineMetrics(registry, { processMetrics: false });
    const records: DeliveryRecord[] = [];
    const req = request('{}', { headers: { 'content-length': '2', 'x-forwarded-for': '203.0.113.9' } });
    return {
      metrics,
      records,
      delivery: startDelivery(req, { metrics, record: (r) => records.push(r), now: () => NOW }),
    };
  }

  it('counts a stored webhook, its body bytes and its time, and records it with its id', async () => {
    const { metrics, records, delivery } = trace();
    delivery.facts.bodyBytes = 2;
    const response = delivery.finish({
      status: 'success',
      webhookId: 7,
      response: { status: 200, jsonBody: { status: 'success', id: 7 } },
    });
    expect(response).toEqual({ status: 200, jsonBody: { status: 'success', id: 7 } });
    expect((await metrics.requests.get()).values).toEqual([{ labels: { status: 'success', reason: '' }, value: 1 }]);
    expect((await metrics.payloadBytes.get()).values[0].value).toBe(2);
    expect(
      (await metrics.processingSeconds.get()).values.find(
        (v) => v.metricName === 'webhook_processing_time_seconds_count',
      )?.value,
    ).toBe(1);
    expect(records).toEqual([
      {
        receivedAt: new Date(NOW),
        outcome: 'stored',
        status: 200,
        bodyBytes: 2,
        declaredBytes: '2',
        webhookId: 7,
        forwardedFor: '203.0.113.9',
      },
    ]);
  });

  it('counts a refusal by its reason', async () => {
    const { metrics, records, delivery } = trace();
    delivery.finish({ status: 'error', reason: 'signature_missing', response: { status: 401 } });
    expect((await metrics.requests.get()).values).toEqual([
      { labels: { status: 'error', reason: 'signature_missing' }, value: 1 },
    ]);
    expect(records[0]).toMatchObject({ outcome: 'signature_missing', status: 401, webhookId: null });
  });

  it('records a crashed request as a 500 and passes the error on, uncounted', async () => {
    const { metrics, records, delivery } = trace();
    const boom = new Error('boom');
    expect(() => delivery.crashed(boom)).toThrow(boom);
    expect(records[0]).toMatchObject({ outcome: 'internal_error', status: 500, webhookId: null });
    expect((await metrics.requests.get()).values).toEqual([]);
  });
});
