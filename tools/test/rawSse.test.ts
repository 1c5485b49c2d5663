import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChunkFramingError, ChunkedDecoder, openRawSse } from '../harness/rawSse';

const text = (parts: Buffer[]) => Buffer.concat(parts).toString('latin1');

describe('ChunkedDecoder', () => {
  const framed = Buffer.from('5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\n\r\n');

  it('returns the body of chunked framing, whole or split at every byte', () => {
    expect(text(new ChunkedDecoder().push(framed))).toBe('hello world!');
    const decoder = new ChunkedDecoder();
    const parts: Buffer[] = [];
    for (let i = 0; i < framed.length; i += 1) parts.push(...decoder.push(framed.subarray(i, i + 1)));
    expect(text(parts)).toBe('hello world!');
    expect(decoder.done).toBe(true);
  });

  it('refuses what is not chunk framing', () => {
    expect(() => new ChunkedDecoder().push(Buffer.from('zz\r\n'))).toThrow(ChunkFramingError);
    expect(() => new ChunkedDecoder().push(Buffer.from('2\r\nabX\r\n'))).toThrow(/expected CRLF/);
    expect(() => new ChunkedDecoder().push(Buffer.from('1'.repeat(40)))).toThrow(/too long/);
  });
});

describe('openRawSse', () => {
  let server: http.Server;
  let url: string;
  const seenHeaders: http.IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seenHeaders.push(req.headers);
      if (req.url === '/missing') return void res.writeHead(404, { 'Content-Length': 0 }).end();
      // /chunked: node's default framing; /close: delimited by the connection's end, as the bridge sends it.
      if (req.url === '/close') {
        res.removeHeader('Content-Length');
        res.removeHeader('Transfer-Encoding');
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'close' });
      res.write('id: 1\ndata: a\n\n');
      setTimeout(() => res.end('id: 2\ndata: b\n\n'), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each(['/chunked', '/close'])('reads the stream body of %s as sent, then reports the close', async (path) => {
    const parts: Buffer[] = [];
    let onClose: (error?: Error) => void = () => undefined;
    const closed = new Promise<Error | undefined>((resolve) => (onClose = resolve));
    const stream = openRawSse(`${url}${path}`, { 'X-Api-Key': 'k' }, { onBytes: (b) => parts.push(b), onClose });
    const { status, headers } = await stream.opened;
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream');
    expect(headers['transfer-encoding']).toBe(path === '/chunked' ? 'chunked' : undefined);
    expect(await closed).toBeUndefined();
    expect(text(parts)).toBe('id: 1\ndata: a\n\nid: 2\ndata: b\n\n');
    expect(seenHeaders.at(-1)).toMatchObject({ 'x-api-key': 'k', accept: 'text/event-stream' });
  });

  it('gives the status of a refusal', async () => {
    const stream = openRawSse(`${url}/missing`, {}, { onBytes: () => undefined, onClose: () => undefined });
    expect((await stream.opened).status).toBe(404);
    stream.close();
  });

  it('rejects opened when nothing listens', async () => {
    const closed = jest.fn();
    const stream = openRawSse('http://127.0.0.1:1/events', {}, { onBytes: () => undefined, onClose: closed });
    await expect(stream.opened).rejects.toThrow(/ECONNREFUSED/);
    expect(closed).toHaveBeenCalledTimes(1);
  });
});
