import { HttpRequest, type HttpRequestInit } from '@azure/functions';
import { BufferedRequest } from '../src/bufferedRequest';
import { readBodyLimited, BodyTooLargeError } from '../../functions/src';

function libraryRequest(body: Buffer | undefined, headers: Record<string, string> = {}): HttpRequest {
  const native = new BufferedRequest('http://localhost/webhook?a=1', 'POST', new Headers(headers), body);
  const init: HttpRequestInit & { nativeRequest: BufferedRequest } = { nativeRequest: native, query: { a: '1' }, params: { p: 'x' } };
  return new HttpRequest(init);
}

describe('BufferedRequest under the library HttpRequest', () => {
  it('hands over url, method, headers, query, params and the same bytes', async () => {
    const request = libraryRequest(Buffer.from('{"a":"é"}'), { 'petzi-signature': 't=1,v1=x' });
    expect(request.url).toBe('http://localhost/webhook?a=1');
    expect(request.method).toBe('POST');
    expect(request.headers.get('Petzi-Signature')).toBe('t=1,v1=x');
    expect(request.query.get('a')).toBe('1');
    expect(request.params).toEqual({ p: 'x' });
    expect(request.bodyUsed).toBe(false);
    expect(await request.json()).toEqual({ a: 'é' });
    expect(request.bodyUsed).toBe(true);
  });

  it('reads the body once, as a Request does', async () => {
    const request = libraryRequest(Buffer.from('abc'));
    expect(Buffer.from(await request.arrayBuffer()).toString()).toBe('abc');
    await expect(request.text()).rejects.toThrow(TypeError);
  });

  it('gives a copy: changing it leaves the bytes the host read alone', async () => {
    const bytes = Buffer.from('abc');
    const copy = new Uint8Array(await libraryRequest(bytes).arrayBuffer());
    copy[0] = 0x7a;
    expect(bytes.toString()).toBe('abc');
  });

  it('still offers the body as a stream, and none without a body', async () => {
    const stream = libraryRequest(Buffer.from('streamed')).body;
    const chunks: Buffer[] = [];
    for await (const chunk of stream ?? []) chunks.push(Buffer.from(chunk as Uint8Array));
    expect(Buffer.concat(chunks).toString()).toBe('streamed');
    expect(libraryRequest(undefined).body).toBeNull();
    expect(await libraryRequest(undefined).text()).toBe('');
  });

  it('lets readBodyLimited take the bytes whole under a declared length, and still refuses past the limit', async () => {
    const body = Buffer.from('x'.repeat(10));
    expect((await readBodyLimited(libraryRequest(body, { 'content-length': '10' }), 10)).toString()).toBe(body.toString());
    await expect(readBodyLimited(libraryRequest(body, { 'content-length': '11' }), 10)).rejects.toThrow(BodyTooLargeError);
    // No declared length (chunked): streamed, and cut at the limit.
    await expect(readBodyLimited(libraryRequest(Buffer.from('x'.repeat(11))), 10)).rejects.toThrow(BodyTooLargeError);
    expect((await readBodyLimited(libraryRequest(body), 10)).toString()).toBe(body.toString());
  });
});
