import { rawRequest } from '../../tools/harness/rawHttp';
import { startTestStack, type TestStack } from '../support/host';

/**
 * Requests node:http itself refuses before any function runs. They must get the same kind of
 * answer as everything else the host refuses: a 4xx with a JSON `error`, then a closed socket.
 */
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.stop();
});

const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

const cases: Array<[string, number, Buffer]> = [
  [
    'a Content-Length that is not a number',
    400,
    Buffer.from(head(['POST /webhook HTTP/1.1', 'Host: x', 'Content-Length: abc'])),
  ],
  [
    'both Content-Length and Transfer-Encoding',
    400,
    Buffer.from(
      head(['POST /webhook HTTP/1.1', 'Host: x', 'Content-Length: 3', 'Transfer-Encoding: chunked']) +
        '3\r\nabc\r\n0\r\n\r\n',
    ),
  ],
  [
    'a chunk size that is not hex',
    400,
    Buffer.from(head(['POST /webhook HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked']) + 'zz\r\nabc\r\n0\r\n\r\n'),
  ],
  [
    'a NUL byte in a header value',
    400,
    Buffer.from(
      head(['POST /webhook HTTP/1.1', 'Host: x', 'Petzi-Signature: t=1\u0000,v1=00', 'Content-Length: 0']),
      'latin1',
    ),
  ],
  [
    '20 KB of headers',
    431,
    Buffer.from(
      head(['POST /webhook HTTP/1.1', 'Host: x', `Petzi-Signature: ${'a'.repeat(20_000)}`, 'Content-Length: 0']),
    ),
  ],
  [
    'a TLS ClientHello on the plain port',
    400,
    Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]),
  ],
  ['a request line that is not HTTP', 400, Buffer.from('HELLO\r\n\r\n')],
  [
    'a method with a space in the target',
    400,
    Buffer.from(head(['POST /web hook HTTP/1.1', 'Host: x', 'Content-Length: 0'])),
  ],
];

describe('protocol-level garbage', () => {
  it.each(cases)('answers %s with a JSON %i and closes', async (_name, status, bytes) => {
    const { responses, closedByServer } = await rawRequest(stack.host.port, bytes);
    expect(closedByServer).toBe(true);
    expect(responses.map((r) => r.status)).toEqual([status]);
    expect(responses[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(responses[0].body)).toEqual({ error: expect.any(String) });
  });

  it('still serves a well-formed request afterwards', async () => {
    const { responses } = await rawRequest(
      stack.host.port,
      Buffer.from(head(['GET /api/health HTTP/1.1', 'Host: x', 'Connection: close'])),
    );
    expect(responses.map((r) => r.status)).toEqual([200]);
  });
});
