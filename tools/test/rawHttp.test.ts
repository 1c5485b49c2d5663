import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RawHttpConnection, UnsupportedReplyError } from '../harness/rawHttp';

let server: http.Server;
let port: number;
const sockets = new Set<string>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    sockets.add(`${req.socket.remotePort}`);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/chunked') {
        res.write('a');
        res.end('b');
        return;
      }
      const text = JSON.stringify({ method: req.method, url: req.url, body, signature: req.headers['petzi-signature'] ?? null });
      const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) };
      if (req.url === '/close') headers.Connection = 'close';
      res.writeHead(req.url === '/missing' ? 404 : 200, headers).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('RawHttpConnection', () => {
  it('sends requests one after another on one kept-alive connection and reads status and body', async () => {
    sockets.clear();
    const connection = new RawHttpConnection('127.0.0.1', port);
    try {
      const body = Buffer.from('{"é":"ü"}');
      const first = await connection.request('POST /webhook HTTP/1.1\r\nPetzi-Signature: t=1,v1=ab', body);
      expect(first.status).toBe(200);
      expect(JSON.parse(first.body)).toEqual({ method: 'POST', url: '/webhook', body: '{"é":"ü"}', signature: 't=1,v1=ab' });
      const second = await connection.request('POST /missing HTTP/1.1', Buffer.from('x'));
      expect(second.status).toBe(404);
      expect(sockets.size).toBe(1);
    } finally {
      connection.close();
    }
  });

  it('opens a new connection after the server closes one', async () => {
    sockets.clear();
    const connection = new RawHttpConnection('127.0.0.1', port);
    try {
      expect((await connection.request('POST /close HTTP/1.1', Buffer.from('1'))).status).toBe(200);
      expect((await connection.request('POST /again HTTP/1.1', Buffer.from('2'))).status).toBe(200);
      expect(sockets.size).toBe(2);
    } finally {
      connection.close();
    }
  });

  it('refuses a reply it cannot read (no Content-Length) with a clear error', async () => {
    const connection = new RawHttpConnection('127.0.0.1', port);
    try {
      await expect(connection.request('POST /chunked HTTP/1.1', Buffer.from('x'))).rejects.toThrow(UnsupportedReplyError);
    } finally {
      connection.close();
    }
  });

  it('rejects when nothing listens', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const connection = new RawHttpConnection('127.0.0.1', closedPort);
    await expect(connection.request('POST / HTTP/1.1', Buffer.from('x'))).rejects.toThrow(/ECONNREFUSED/);
    connection.close();
  });
});
