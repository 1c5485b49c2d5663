/**
 * The part of a Fetch `Request` that `@azure/functions`' HttpRequest reads (url, method, headers,
 * body), over a body the host has already read and size-checked. Handed to HttpRequest as its
 * native request (the library's own streaming path does the same with an undici Request), so the
 * function still gets the library's HttpRequest; but the body stays the bytes the host read:
 * `arrayBuffer()`, `text()` and `json()` return them without a web stream. Only what needs one
 * (`body` as a stream, `blob()`, `formData()`, `clone()`) builds a real Request, on first use.
 */
export class BufferedRequest {
  #full: Request | undefined;
  #used = false;

  constructor(
    readonly url: string,
    readonly method: string,
    readonly headers: Headers,
    private readonly bytes: Buffer | undefined,
  ) {}

  get body(): ReadableStream<Uint8Array> | null {
    return this.bytes === undefined ? null : this.full().body;
  }

  get bodyUsed(): boolean {
    return this.#full?.bodyUsed ?? this.#used;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#full) return this.#full.arrayBuffer();
    const bytes = this.take();
    // A copy, as Request.arrayBuffer() gives: the caller may keep or change it.
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  }

  async text(): Promise<string> {
    if (this.#full) return this.#full.text();
    return this.take().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async blob(): Promise<Blob> {
    return this.full().blob();
  }

  async formData(): Promise<FormData> {
    return this.full().formData();
  }

  clone(): Request {
    return this.full().clone();
  }

  /** The body, once: a second read fails as it does on a Request. */
  private take(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.bytes ?? Buffer.alloc(0);
  }

  private full(): Request {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#full ??= new Request(this.url, { method: this.method, headers: this.headers, body: this.bytes as Uint8Array<ArrayBuffer> | undefined });
    return this.#full;
  }
}
