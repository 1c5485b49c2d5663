import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSender } from '../src/send';

/** A real server that reads requests and never answers, to exercise the timeout. */
describe('createSender', () => {
  let server: http.Server;
  let url: string;
  const seen: Array<{ method: string | undefined; headers: http.IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (req.url === '/silent') return;
        res.writeHead(418, { 'Content-Type': 'application/json' });
        res.end('{"error":"teapot"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('sends the exact method, headers and bytes, and returns status and body', async () => {
    const outcome = await createSender(`${url}/webhook`, 5000).send({
      method: 'POST',
      headers: { 'Petzi-Signature': 't=1,v1=ab', 'Content-Type': 'application/json' },
      body: '{"é":1}',
    });
    expect(outcome).toMatchObject({ kind: 'response', status: 418, body: '{"error":"teapot"}' });
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
    const request = seen[seen.length - 1];
    expect(request?.method).toBe('POST');
    expect(request?.headers['petzi-signature']).toBe('t=1,v1=ab');
    expect(request?.body).toBe('{"é":1}');
  });

  test('a server that never answers is a timeout error, not a hang', async () => {
    const outcome = await createSender(`${url}/silent`, 200).send({ method: 'POST', headers: {}, body: '{}' });
    expect(outcome).toMatchObject({ kind: 'error', code: 'TIMEOUT', error: 'no answer within 200 ms' });
  });
});
