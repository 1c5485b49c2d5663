import { Worker } from 'node:worker_threads';

/**
 * An HTTP client on its own thread. jest's open-handle detection records a stack trace for every
 * async resource the test process creates; for a keep-alive client that is most of the CPU of a
 * 10,000-request run. On a worker thread the client's resources are not traced, so the in-process
 * host gets the CPU. It sends exactly the method, headers and bytes it is given.
 */
export interface RawHttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export type RawHttpReply =
  | { status: number; contentType: string | undefined; text: string }
  /** The server closed the socket before a reply was read (ECONNRESET/EPIPE). */
  | { closed: string };

export interface HttpClientThread {
  send(request: RawHttpRequest): Promise<RawHttpReply>;
  close(): Promise<void>;
}

// Plain JavaScript: the worker evaluates it as is, outside ts-jest.
const WORKER_SOURCE = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const agent = new http.Agent({ keepAlive: true, maxSockets: workerData.maxSockets });
parentPort.on('message', ({ id, method, path, headers, body }) => {
  let settled = false;
  const done = (reply) => {
    if (settled) return;
    settled = true;
    parentPort.postMessage({ id, ...reply });
  };
  const req = http.request({ host: workerData.host, port: workerData.port, method, path, headers, agent, timeout: workerData.timeoutMs }, (res) => {
    const chunks = [];
    res.on('data', (chunk) => chunks.push(chunk));
    res.on('end', () => done({ status: res.statusCode, contentType: res.headers['content-type'], text: Buffer.concat(chunks).toString('utf8') }));
    res.on('error', (error) => done({ error: String(error && error.message) }));
  });
  req.on('timeout', () => req.destroy(new Error('no reply within ' + workerData.timeoutMs + ' ms')));
  req.on('error', (error) => done(error.code === 'ECONNRESET' || error.code === 'EPIPE' ? { closed: error.code } : { error: String(error.message) }));
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (headers['Transfer-Encoding'] === 'chunked') {
    const half = Math.floor(bytes.length / 2);
    req.write(bytes.subarray(0, half));
    req.end(bytes.subarray(half));
  } else {
    req.end(bytes);
  }
});
`;

export function startHttpClientThread(options: {
  host: string;
  port: number;
  maxSockets: number;
  timeoutMs: number;
}): HttpClientThread {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: options });
  const pending = new Map<number, { resolve: (reply: RawHttpReply) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  worker.on('message', (message: { id: number; error?: string } & Partial<RawHttpReply>) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (!waiter) return;
    if (message.error !== undefined) waiter.reject(new Error(message.error));
    else {
      const { id: _id, error: _error, ...reply } = message;
      waiter.resolve(reply as RawHttpReply);
    }
  });
  worker.on('error', (error) => pending.forEach((w) => w.reject(error)));
  return {
    send(request) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, ...request, body: new Uint8Array(request.body) });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
