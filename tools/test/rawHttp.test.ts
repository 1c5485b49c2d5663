import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  RawHttpConnection,
  UnsupportedReplyError,
  firstResponse,
  parseHead,
  parseResponses,
  rawRequest,
  slowClients,
} from '../harness/rawHttp';

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
      if (req.url === '/sse') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' }).write(': open\n\n');
        return;
      }
      if (req.url === '/chunked') {
        res.write('a');
        res.end('b');
        return;
      }
      const text = JSON.stringify({
        method: req.method,
        url: req.url,
        body,
        signature: req.headers['petzi-signature'] ?? null,
      });
      const headers: Record<string, string | number> = {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
      };
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
      expect(JSON.parse(first.body)).toEqual({
        method: 'POST',
        url: '/webhook',
        body: '{"é":"ü"}',
        signature: 't=1,v1=ab',
      });
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
      await expect(connection.request('POST /chunked HTTP/1.1', Buffer.from('x'))).rejects.toThrow(
        UnsupportedReplyError,
      );
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

const get = (path: string, extra = '') => Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`);

describe('raw socket helpers', () => {
  it('parseHead waits for the whole head and reads status, lower-cased headers and where the body starts', () => {
    const reply = Buffer.from('HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nX-A:  b \r\n\r\nbody');
    expect(parseHead(reply.subarray(0, 30))).toBeUndefined();
    expect(parseHead(reply)).toEqual({
      status: 201,
      headers: { 'content-type': 'text/plain', 'x-a': 'b' },
      bodyStart: reply.length - 4,
    });
    expect(parseHead(Buffer.from('SSH-2.0\r\n\r\n'))).toBeUndefined();
  });

  it('parseResponses splits pipelined responses by Content-Length and leaves an incomplete one out', () => {
    const one = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const two = 'HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad';
    const responses = parseResponses(Buffer.from(one + two + 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort'));
    expect(responses.map((r) => [r.status, r.body])).toEqual([
      [200, 'ok'],
      [400, 'bad'],
    ]);
  });

  it('rawRequest returns every response of pipelined requests and whether the server closed', async () => {
    const { responses, closedByServer } = await rawRequest(port, Buffer.concat([get('/a'), get('/close')]));
    expect(responses.map((r) => JSON.parse(r.body).url)).toEqual(['/a', '/close']);
    expect(responses[1].headers.connection).toBe('close');
    expect(closedByServer).toBe(true);
  });

  it('rawRequest gives up waiting for a close after its timeout', async () => {
    const { responses, closedByServer } = await rawRequest(port, get('/kept'), 300);
    expect(responses).toHaveLength(1);
    expect(closedByServer).toBe(false);
  });

  it('firstResponse reads a body, a HEAD reply and an SSE head without waiting for the stream to end', async () => {
    expect(await firstResponse(port, get('/one'))).toMatchObject({
      status: 200,
      stream: false,
      body: expect.stringContaining('"/one"'),
    });
    expect(await firstResponse(port, Buffer.from('HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n'))).toMatchObject({
      status: 200,
      body: '',
    });
    expect(await firstResponse(port, get('/sse'))).toMatchObject({ status: 200, stream: true, body: '' });
  });

  it('firstResponse is undefined when the server closes without a response', async () => {
    const silent = http.createServer();
    silent.on('connection', (socket) => socket.destroy());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      expect(await firstResponse((silent.address() as AddressInfo).port, get('/'))).toBeUndefined();
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('slowClients trickles a request byte by byte and cleans up its connections', async () => {
    const clients = slowClients();
    try {
      const connection = await clients.connect(port);
      const request = get('/close');
      const sending = clients.trickle(connection, request, 1);
      await connection.closed;
      expect(sending.written()).toBe(request.length);
      expect(JSON.parse(parseResponses(connection.received())[0].body).url).toBe('/close');
      const open = await clients.connect(port);
      clients.cleanUp();
      await open.closed;
      expect(open.write('x')).toBe(false);
    } finally {
      clients.cleanUp();
    }
  });
});
