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
      socket.write(Buffer.concat([Buffer.from(`${head}\r\nHost: ${this.host}:${this.port}\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
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
