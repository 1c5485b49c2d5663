import type { IncomingMessage } from 'node:http';
import { framingRefusal } from '../src/framing';
import { servesHost } from '../src/hostNames';
import { isRefusal, Slots } from '../../../kit/src';

const request = (method: string, headers: Record<string, string>) =>
  ({ method, headers }) as unknown as IncomingMessage;

describe('framingRefusal', () => {
  it.each([
    ['GET', {}],
    ['HEAD', { 'content-length': '0' }],
    ['POST', { 'content-length': '12' }],
    ['POST', { 'transfer-encoding': 'chunked' }],
    ['POST', { 'transfer-encoding': 'Chunked' }],
    ['DELETE', {}],
  ])('lets %s %j through', (method, headers) => {
    expect(framingRefusal(request(method, headers))).toBeUndefined();
  });

  it.each([
    ['GET', { 'transfer-encoding': 'chunked' }, /GET request carries no body/],
    ['HEAD', { 'content-length': '5' }, /HEAD request carries no body/],
    ['GET', { 'transfer-encoding': 'identity' }, /carries no body/],
    ['POST', { 'transfer-encoding': 'gzip, chunked' }, /not accepted/],
    ['POST', { 'transfer-encoding': 'chunked, chunked' }, /not accepted/],
    ['DELETE', { 'transfer-encoding': 'xchunked' }, /not accepted/],
    ['POST', { 'transfer-encoding': 'chunked', 'content-length': '3' }, /both Content-Length and Transfer-Encoding/],
  ])('refuses %s %j', (method, headers, message) => {
    expect(framingRefusal(request(method, headers))).toMatch(message);
  });
});

describe('servesHost', () => {
  const origins = [new URL('https://tickets.example.org'), new URL('http://10.0.0.5:8080')];

  it.each([
    'localhost',
    'localhost:8080',
    'LOCALHOST:1',
    '127.0.0.1',
    '127.0.0.1:8080',
    '127.1.2.3:80',
    '[::1]',
    '[::1]:8080',
  ])('serves the loopback name %s, on any port', (host) => {
    expect(servesHost(host, [])).toBe(true);
  });

  it.each(['tickets.example.org', 'tickets.example.org:443', 'TICKETS.example.org', '10.0.0.5:8080'])(
    'serves the public origin %s',
    (host) => {
      expect(servesHost(host, origins)).toBe(true);
    },
  );

  it.each([
    undefined,
    '',
    'evil.example',
    'evil.example:8080',
    'tickets.example.org:8443',
    'tickets.example.org.evil.example',
    '10.0.0.5',
    '10.0.0.5:80',
    'localhost.evil.example',
    '127.0.0.1.nip.io',
    'localhost:8080@evil.example',
    'local host',
    '[::1',
  ])('does not serve %s', (host) => {
    expect(servesHost(host, origins)).toBe(false);
  });
});

describe('Slots', () => {
  const held = (taken: ReturnType<Slots['take']>) => {
    if (isRefusal(taken)) throw new Error(`refused: ${taken.limit}`);
    return taken;
  };

  it('counts per holder and overall, refuses past either cap, and gives slots back once', () => {
    const slots = new Slots({ overall: 3, perHolder: 2 });
    const a1 = held(slots.take('a'));
    held(slots.take('a'));
    expect(slots.take('a')).toEqual({ limit: 'per holder', max: 2 });
    held(slots.take('b'));
    expect(slots.take('c')).toEqual({ limit: 'overall', max: 3 });
    expect(slots.take(undefined)).toEqual({ limit: 'overall', max: 3 });
    a1.release();
    a1.release();
    expect(slots.size).toBe(2);
    held(slots.take('a'));
    expect(slots.take('a')).toEqual({ limit: 'overall', max: 3 });
  });
});
