import { HttpRequest, type LogLevel } from '@azure/functions';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { BodyTooLargeError, readBodyLimited, type Logger } from '../../functions/src';
import { parseRequestTarget } from '../../kit/src';
import { contextLog, functionRequest } from '../src/invocation';

/**
 * The host builds the library's HttpRequest through its public constructor only. These cases pin
 * what the host and the functions rely on, for the installed @azure/functions (the lockfile's), so
 * that an upgrade package.json's range allows fails here, naming the version, if it changes any of it.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const readJson = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;
const INSTALLED = readJson('node_modules/@azure/functions/package.json').version as string;

function incoming(method: string, headers: IncomingMessage['headers'], remoteAddress = '127.0.0.1'): IncomingMessage {
  return { method, headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

function post(body: Buffer, headers: IncomingMessage['headers'] = {}, target = '/webhook'): HttpRequest {
  return functionRequest(incoming('POST', headers), parseRequestTarget(target), body, {});
}

async function streamed(request: HttpRequest): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request.body ?? []) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

describe(`the library's HttpRequest as the host builds it (@azure/functions ${INSTALLED})`, () => {
  it("is the lockfile's version, inside package.json's range", () => {
    const lock = readJson('package-lock.json') as { packages: Record<string, { version: string }> };
    expect(lock.packages['node_modules/@azure/functions'].version).toBe(INSTALLED);
    const range = (readJson('package.json').dependencies as Record<string, string>)['@azure/functions'];
    const [major, minor, patch] = INSTALLED.split('.').map(Number);
    const caret = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
    if (!caret)
      throw new Error(
        `package.json's @azure/functions range ${range} is not a caret range: say here which versions this test pins`,
      );
    const [, lowMajor, lowMinor, lowPatch] = caret.map(Number);
    expect(major).toBe(lowMajor);
    expect(minor * 1e6 + patch).toBeGreaterThanOrEqual(lowMinor * 1e6 + lowPatch);
  });

  it('hands over the url, method, headers (the declared length included), query and route parameters', () => {
    const headers = {
      'content-type': 'application/json',
      'content-length': '9',
      'petzi-signature': 't=1,v1=ab',
      'x-forwarded-for': '10.0.0.1',
      'x-many': ['a', 'b'],
    };
    const target = parseRequestTarget('/api/tickets/A%20B?limit=5&limit=6&code=k');
    const request = functionRequest(incoming('POST', headers, '::1'), target, Buffer.from('{"a":"é"}'), {
      number: 'A B',
    });
    expect(request).toBeInstanceOf(HttpRequest);
    expect(request.url).toBe('http://localhost/api/tickets/A%20B?limit=5&limit=6&code=k');
    expect(request.method).toBe('POST');
    expect(request.headers.get('Content-Type')).toBe('application/json');
    expect(request.headers.get('content-length')).toBe('9');
    expect(request.headers.get('petzi-signature')).toBe('t=1,v1=ab');
    expect(request.headers.get('x-many')).toBe('a, b');
    expect(request.headers.get('x-forwarded-for')).toBe('10.0.0.1, ::1');
    // The query comes from the init (first value of each key), not from the URL.
    expect([...request.query]).toEqual([
      ['limit', '5'],
      ['code', 'k'],
    ]);
    expect(request.params).toEqual({ number: 'A B' });
    expect(request.user).toBeNull();
  });

  it('gives the body once, as the bytes the host read', async () => {
    const bytes = Buffer.from('{"a":"é","n":[1,2]}');
    const request = post(bytes);
    expect(request.bodyUsed).toBe(false);
    expect(Buffer.from(await request.arrayBuffer()).equals(bytes)).toBe(true);
    expect(request.bodyUsed).toBe(true);
    // A TypeError of undici's realm, so matched by name, not by class.
    await expect(request.arrayBuffer()).rejects.toHaveProperty('name', 'TypeError');
    await expect(request.text()).rejects.toThrow(/already been read/);
    expect(await post(bytes).text()).toBe('{"a":"é","n":[1,2]}');
    expect(await post(bytes).json()).toEqual({ a: 'é', n: [1, 2] });
  });

  it('offers the body as a stream that can be cancelled, and none when there is none', async () => {
    expect(await streamed(post(Buffer.from('streamed')))).toBe('streamed');
    const reader = post(Buffer.from('x'.repeat(100))).body?.getReader();
    expect(reader).toBeDefined();
    await reader?.read();
    await expect(reader?.cancel()).resolves.toBeUndefined();
    const empty = post(Buffer.alloc(0));
    expect(empty.body).toBeNull();
    expect(await empty.text()).toBe('');
  });

  it('hands a GET or HEAD no body, whatever the client sent', async () => {
    for (const method of ['GET', 'HEAD']) {
      const request = functionRequest(
        incoming(method, { 'content-length': '3' }),
        parseRequestTarget('/api/health'),
        Buffer.from('abc'),
        {},
      );
      expect(request.method).toBe(method);
      expect(request.body).toBeNull();
      expect(await request.text()).toBe('');
    }
  });

  it('lets readBodyLimited read a declared length whole and cut a chunked body at the limit', async () => {
    const body = Buffer.from('x'.repeat(10));
    expect((await readBodyLimited(post(body, { 'content-length': '10' }), 10)).equals(body)).toBe(true);
    await expect(readBodyLimited(post(body, { 'content-length': '11' }), 10)).rejects.toThrow(BodyTooLargeError);
    // No declared length (chunked): streamed, and cut at the limit.
    await expect(readBodyLimited(post(Buffer.from('x'.repeat(11))), 10)).rejects.toThrow(BodyTooLargeError);
    expect((await readBodyLimited(post(body), 10)).equals(body)).toBe(true);
  });
});

describe('contextLog', () => {
  it("routes a function's log levels to the host's logger, prefixed, without trace and debug", () => {
    const said: string[] = [];
    const log: Logger = {
      info: (m) => said.push(`info ${m}`),
      warn: (m) => said.push(`warn ${m}`),
      error: (m) => said.push(`error ${m}`),
    };
    const handler = contextLog(log, 'webhook');
    const levels: LogLevel[] = ['trace', 'debug', 'information', 'warning', 'error', 'critical', 'none'];
    for (const level of levels) handler(level, level, 1);
    expect(said).toEqual([
      'info [webhook] information 1',
      'warn [webhook] warning 1',
      'error [webhook] error 1',
      'error [webhook] critical 1',
      'info [webhook] none 1',
    ]);
  });
});
