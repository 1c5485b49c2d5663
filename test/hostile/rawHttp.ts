import net from 'node:net';

/** One HTTP/1.1 response read off a raw socket. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Splits what a server wrote on one connection into responses (Content-Length framing, which is
 * all the host writes); a trailing incomplete response is ignored.
 */
export function parseResponses(data: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = data;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return responses;
    const [statusLine, ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!match) return responses;
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (rest.length < end + 4 + length) return responses;
    responses.push({ status: Number(match[1]), headers, body: rest.subarray(end + 4, end + 4 + length).toString('utf8') });
    rest = rest.subarray(end + 4 + length);
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
export function connectRaw(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const started = Date.now();
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the server gives up on us is an expected way for the connection to end.
    socket.on('error', () => undefined);
    const closed = new Promise<{ afterMs: number }>((done) => socket.once('close', () => done({ afterMs: Date.now() - started })));
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
export async function rawRequest(port: number, bytes: Buffer, timeoutMs = 5000): Promise<{ responses: RawResponse[]; closedByServer: boolean }> {
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
export function trickleBytes(connection: RawConnection, bytes: Buffer, everyMs: number): { written: () => number; timer: NodeJS.Timeout } {
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
