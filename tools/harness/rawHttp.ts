import net from 'node:net';

export interface RawReply {
  status: number;
  body: string;
}

/** A reply the minimal client does not read: no Content-Length (chunked), or not HTTP/1.x. */
export class UnsupportedReplyError extends Error {
  override name = 'UnsupportedReplyError';
}

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection for the load generator, one request at a time. node:http's
 * client spent about 150 µs of CPU a request here, on the same two cores as the server under
 * test; this writes the request as one buffer and reads only the status, Content-Length and body.
 * Not a general client: the servers it drives answer every request with a Content-Length.
 */
export class RawHttpConnection {
  private socket: net.Socket | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private pending: { resolve: (reply: RawReply) => void; reject: (error: Error) => void } | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Sends `head` (request line and headers, without the blank line) and `body`; resolves with the reply. */
  request(head: string, body: Buffer): Promise<RawReply> {
    if (this.pending) return Promise.reject(new Error('RawHttpConnection sends one request at a time'));
    const socket = this.socket ?? this.connect();
    return new Promise<RawReply>((resolve, reject) => {
      this.pending = { resolve, reject };
      socket.write(
        Buffer.concat([
          Buffer.from(`${head}\r\nHost: ${this.host}:${this.port}\r\nContent-Length: ${body.length}\r\n\r\n`),
          body,
        ]),
      );
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.settle(new Error('connection closed by the client'));
  }

  private connect(): net.Socket {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    this.buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.parse();
    });
    const fail = (error: Error) => {
      // A socket already let go of (closed after its last reply) has no request of its own.
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.settle(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed before the reply')));
    return socket;
  }

  private parse(): void {
    const headEnd = this.buffered.indexOf(HEAD_END);
    if (headEnd < 0 || !this.pending) return;
    const head = this.buffered.subarray(0, headEnd).toString('latin1');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!status || !length) {
      this.settle(new UnsupportedReplyError(status ? 'reply without Content-Length' : 'not an HTTP/1.x reply'));
      this.close();
      return;
    }
    const bodyStart = headEnd + HEAD_END.length;
    const bodyEnd = bodyStart + Number(length[1]);
    if (this.buffered.length < bodyEnd) return;
    const body = this.buffered.subarray(bodyStart, bodyEnd).toString('utf8');
    this.buffered = this.buffered.subarray(bodyEnd);
    const pending = this.pending;
    this.pending = undefined;
    if (/\r\nconnection:\s*close/i.test(head)) this.close();
    pending.resolve({ status: Number(status[1]), body });
  }

  private settle(error: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}

// Raw sockets for malformed and slow requests: the bytes exactly as told, every response read back.

/** One HTTP/1.1 response read off a raw socket. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The status line and headers at the start of `data`, and where the body starts; undefined until they are complete. */
export function parseHead(
  data: Buffer,
): { status: number; headers: Record<string, string>; bodyStart: number } | undefined {
  const end = data.indexOf(HEAD_END);
  if (end === -1) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(match[1]), headers, bodyStart: end + HEAD_END.length };
}

/**
 * Splits what a server wrote on one connection into responses (Content-Length framing, which is
 * all the host writes); a trailing incomplete response is ignored.
 */
export function parseResponses(data: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = data;
  for (;;) {
    const head = parseHead(rest);
    if (!head) return responses;
    const length = Number(head.headers['content-length'] ?? 0);
    if (rest.length < head.bodyStart + length) return responses;
    responses.push({
      status: head.status,
      headers: head.headers,
      body: rest.subarray(head.bodyStart, head.bodyStart + length).toString('utf8'),
    });
    rest = rest.subarray(head.bodyStart + length);
  }
}

export interface RawConnection {
  socket: net.Socket;
  /** Everything the server wrote so far. */
  received(): Buffer;
  /** Resolves when the server closed (or reset) the connection, with the ms since connect. */
  closed: Promise<{ afterMs: number }>;
  /** Writes unless the socket is already gone; reports whether it was written. */
  write(bytes: Buffer | string): boolean;
  destroy(): void;
}

/** A client that writes exactly the bytes it is told, when it is told: for malformed and slow requests. */
function connectRaw(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const started = Date.now();
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the server gives up on us is an expected way for the connection to end.
    socket.on('error', () => undefined);
    const closed = new Promise<{ afterMs: number }>((done) =>
      socket.once('close', () => done({ afterMs: Date.now() - started })),
    );
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => Buffer.concat(chunks),
        closed,
        write(bytes) {
          if (socket.destroyed || !socket.writable) return false;
          socket.write(bytes);
          return true;
        },
        destroy: () => socket.destroy(),
      }),
    );
    socket.once('error', reject);
  });
}

/** Sends one complete request (raw bytes) and returns every response once the server closes or `timeoutMs` passes. */
export async function rawRequest(
  port: number,
  bytes: Buffer,
  timeoutMs = 5000,
): Promise<{ responses: RawResponse[]; closedByServer: boolean }> {
  const connection = await connectRaw(port);
  connection.write(bytes);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const result = await Promise.race([connection.closed, timedOut]);
  clearTimeout(timer);
  connection.destroy();
  await connection.closed;
  return { responses: parseResponses(connection.received()), closedByServer: result !== 'timeout' };
}

/** Writes `bytes` one byte every `everyMs` until done or the server hangs up; clear `timer` to stop early. */
function trickleBytes(
  connection: RawConnection,
  bytes: Buffer,
  everyMs: number,
): { written: () => number; timer: NodeJS.Timeout } {
  let i = 0;
  const timer = setInterval(() => {
    if (i >= bytes.length || !connection.write(bytes.subarray(i, i + 1))) {
      clearInterval(timer);
      return;
    }
    i += 1;
  }, everyMs);
  return { written: () => i, timer };
}

/** The first response on a connection, as far as it can be read: an SSE stream's head only (it never ends). */
export interface FirstResponse extends RawResponse {
  /** The stream was an SSE stream, left after its head was read. */
  stream: boolean;
}

/**
 * Writes `bytes` and reads the first response: its Content-Length body, an SSE head, or whatever
 * came before the server closed. `undefined` when the server closed without a response.
 */
export async function firstResponse(
  port: number,
  bytes: Buffer,
  timeoutMs = 10_000,
): Promise<FirstResponse | undefined> {
  const headOnly = bytes.subarray(0, 5).toString('latin1') === 'HEAD ';
  const connection = await connectRaw(port);
  connection.write(bytes);
  try {
    return await new Promise<FirstResponse | undefined>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no complete response within ${timeoutMs} ms to ${JSON.stringify(bytes.subarray(0, 200).toString('latin1'))}`,
            ),
          ),
        timeoutMs,
      );
      const done = (response: FirstResponse | undefined) => {
        clearTimeout(timer);
        resolve(response);
      };
      // A HEAD reply, a 1xx, 204 or 304 has no body whatever its Content-Length says.
      const bodiless = (status: number) => headOnly || status < 200 || status === 204 || status === 304;
      const read = (closed: boolean): FirstResponse | undefined => {
        const all = connection.received();
        let head = parseHead(all);
        let offset = 0;
        // Skip interim 1xx replies (100 Continue) to reach the response.
        while (head && head.status < 200) {
          offset += head.bodyStart;
          head = parseHead(all.subarray(offset));
        }
        if (!head) return undefined;
        const rest = all.subarray(offset + head.bodyStart);
        const stream = (head.headers['content-type'] ?? '').startsWith('text/event-stream');
        const base = { status: head.status, headers: head.headers, stream };
        if (bodiless(head.status) || stream) return { ...base, body: '' };
        const declared = head.headers['content-length'];
        if (declared !== undefined && rest.length >= Number(declared))
          return { ...base, body: rest.subarray(0, Number(declared)).toString('utf8') };
        // Without a Content-Length the close frames the body: everything after the head.
        return closed && declared === undefined ? { ...base, body: rest.toString('utf8') } : undefined;
      };
      const check = () => {
        const response = read(false);
        if (response) done(response);
      };
      // connectRaw's own listener has stored the chunk by the time this one runs.
      connection.socket.on('data', check);
      void connection.closed.then(() => done(read(true)));
      check();
    });
  } finally {
    connection.destroy();
  }
}

/** The raw connections and trickles of one test file; `cleanUp()` (in afterEach) stops and closes them all. */
export interface SlowClients {
  connect(port: number): Promise<RawConnection>;
  /** Writes `bytes` one byte every `everyMs` until done or the server hangs up; `written()` says how many. */
  trickle(connection: RawConnection, bytes: Buffer | string, everyMs: number): { written: () => number };
  cleanUp(): void;
}

export function slowClients(): SlowClients {
  const open = new Set<RawConnection>();
  const timers = new Set<NodeJS.Timeout>();
  return {
    async connect(port) {
      const connection = await connectRaw(port);
      open.add(connection);
      return connection;
    },
    trickle(connection, bytes, everyMs) {
      const sending = trickleBytes(connection, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes), everyMs);
      timers.add(sending.timer);
      return sending;
    },
    cleanUp() {
      timers.forEach(clearInterval);
      timers.clear();
      open.forEach((c) => c.destroy());
      open.clear();
    },
  };
}

/** One HTTP/1.1 request read back from the bytes a server received. */
export interface RawRequest {
  method: string;
  target: string;
  /** Header names as sent (lowercased), in order. */
  headerNames: string[];
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Splits the bytes one connection carried to a server into requests, strictly: each head is
 * followed by exactly the body its Content-Length declares (none without one). Throws on
 * anything else: a Transfer-Encoding, a malformed head, or bytes left over, which is what a
 * smuggled or mis-framed request would look like on the wire.
 */
export function parseRequests(data: Buffer): RawRequest[] {
  const requests: RawRequest[] = [];
  let rest = data;
  while (rest.length > 0) {
    const end = rest.indexOf(HEAD_END);
    if (end === -1)
      throw new Error(
        `bytes left after ${requests.length} requests: ${JSON.stringify(rest.subarray(0, 200).toString('latin1'))}`,
      );
    const [requestLine, ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const line = /^([A-Z]+) (\S+) HTTP\/1\.1$/.exec(requestLine);
    if (!line) throw new Error(`not a request line: ${JSON.stringify(requestLine.slice(0, 200))}`);
    const headerNames: string[] = [];
    const headers: Record<string, string> = {};
    for (const header of lines) {
      const colon = header.indexOf(':');
      if (colon <= 0 || /\s/.test(header.slice(0, colon)))
        throw new Error(`malformed header line: ${JSON.stringify(header.slice(0, 200))}`);
      const name = header.slice(0, colon).toLowerCase();
      headerNames.push(name);
      headers[name] = header.slice(colon + 1).trim();
    }
    if (headers['transfer-encoding'] !== undefined)
      throw new Error(`a request with Transfer-Encoding ${headers['transfer-encoding']}`);
    const length = Number(headers['content-length'] ?? 0);
    const bodyStart = end + HEAD_END.length;
    if (!Number.isSafeInteger(length) || rest.length < bodyStart + length)
      throw new Error(`a body shorter than its Content-Length ${headers['content-length']}`);
    requests.push({
      method: line[1],
      target: line[2],
      headerNames,
      headers,
      body: rest.subarray(bodyStart, bodyStart + length),
    });
    rest = rest.subarray(bodyStart + length);
  }
  return requests;
}
