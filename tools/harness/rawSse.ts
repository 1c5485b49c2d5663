import net from 'node:net';
import { parseHead } from './rawHttp';

/** Thrown for bytes that are not chunked framing: the stream cannot be read past them. */
export class ChunkFramingError extends Error {
  override name = 'ChunkFramingError';
}

const MAX_SIZE_LINE = 32;

/**
 * Undoes HTTP/1.1 chunked framing, incrementally: push() what the socket gave, get back the body
 * bytes it held (views into the input, no copy for a chunk read whole). Extensions and trailers
 * are ignored; the zero-size chunk ends the body (`done`).
 */
export class ChunkedDecoder {
  /** Body bytes still owed by the current chunk, then its CRLF. */
  private remaining = 0;
  private expectCrlf = false;
  private sizeLine: Buffer = Buffer.alloc(0);
  done = false;

  push(data: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    while (at < data.length && !this.done) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, data.length - at);
        out.push(data.subarray(at, at + take));
        this.remaining -= take;
        at += take;
        if (this.remaining === 0) this.expectCrlf = true;
        continue;
      }
      const lineEnd = data.indexOf(10, at);
      const piece = data.subarray(at, lineEnd === -1 ? data.length : lineEnd + 1);
      this.sizeLine = this.sizeLine.length === 0 ? piece : Buffer.concat([this.sizeLine, piece]);
      at += piece.length;
      if (lineEnd === -1) {
        if (this.sizeLine.length > MAX_SIZE_LINE) throw new ChunkFramingError('chunk size line too long');
        break;
      }
      const line = this.sizeLine.toString('latin1').replace(/\r?\n$/, '');
      this.sizeLine = Buffer.alloc(0);
      if (this.expectCrlf) {
        if (line !== '')
          throw new ChunkFramingError(`expected CRLF after a chunk, got ${JSON.stringify(line.slice(0, 20))}`);
        this.expectCrlf = false;
        continue;
      }
      const size = /^([0-9a-fA-F]{1,8})(;.*)?$/.exec(line);
      if (!size) throw new ChunkFramingError(`not a chunk size: ${JSON.stringify(line.slice(0, 20))}`);
      this.remaining = parseInt(size[1], 16);
      if (this.remaining === 0) this.done = true;
    }
    return out;
  }
}

export interface RawSseStream {
  /** Resolves with the response's status and headers once they are in. */
  opened: Promise<{ status: number; headers: Record<string, string> }>;
  close(): void;
}

export interface RawSseHandlers {
  /** Body bytes of the stream as they arrive, chunked framing removed. */
  onBytes(bytes: Buffer): void;
  /** The connection ended or failed, after opening or not. */
  onClose(error?: Error): void;
}

/**
 * A GET of an event stream on a raw socket, for the fan-out bench's thousand clients: node:http's
 * client (parser, IncomingMessage, a stream push per read) cost about 4.8 µs of CPU per event and
 * client on the same two cores as the bridge it measures. The body reaches onBytes as read, whether
 * the server frames it in chunks or ends it with the connection.
 */
export function openRawSse(url: string, headers: Record<string, string>, handlers: RawSseHandlers): RawSseStream {
  const target = new URL(url);
  const socket = net.connect({ host: target.hostname, port: Number(target.port), noDelay: true });
  let head: Buffer | undefined = Buffer.alloc(0);
  let decoder: ChunkedDecoder | undefined;
  let closed = false;
  let resolveOpened: (value: { status: number; headers: Record<string, string> }) => void = () => undefined;
  let rejectOpened: (error: Error) => void = () => undefined;
  const opened = new Promise<{ status: number; headers: Record<string, string> }>((resolve, reject) => {
    resolveOpened = resolve;
    rejectOpened = reject;
  });
  // A caller that only listens through onClose must not see an unhandled rejection.
  void opened.catch(() => undefined);
  const finish = (error?: Error) => {
    if (closed) return;
    closed = true;
    socket.destroy();
    rejectOpened(error ?? new Error('connection closed before the response headers'));
    handlers.onClose(error);
  };
  const lines = Object.entries({ Host: target.host, Accept: 'text/event-stream', ...headers }).map(
    ([k, v]) => `${k}: ${v}\r\n`,
  );
  socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\n${lines.join('')}\r\n`);
  socket.on('data', (chunk: Buffer) => {
    try {
      if (head !== undefined) {
        head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
        const parsed = parseHead(head);
        if (!parsed) return;
        const rest = head.subarray(parsed.bodyStart);
        head = undefined;
        if (/\bchunked\b/i.test(parsed.headers['transfer-encoding'] ?? '')) decoder = new ChunkedDecoder();
        resolveOpened({ status: parsed.status, headers: parsed.headers });
        if (rest.length === 0) return;
        chunk = rest;
      }
      if (!decoder) handlers.onBytes(chunk);
      else for (const bytes of decoder.push(chunk)) handlers.onBytes(bytes);
    } catch (error) {
      finish(error instanceof Error ? error : new Error(String(error)));
    }
  });
  socket.on('error', (error) => finish(error));
  socket.on('close', () => finish());
  return { opened, close: () => finish() };
}
