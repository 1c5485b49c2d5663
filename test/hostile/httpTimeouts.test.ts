import { ConfigError } from '../../functions/src';
import { HTTP_TIMEOUT_DEFAULTS, httpTimeoutsFromEnv } from '../../kit/src';

describe('httpTimeoutsFromEnv', () => {
  it('defaults to 30 s per request, 10 s for headers, 5 s idle keep-alive', () => {
    expect(httpTimeoutsFromEnv({})).toEqual({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 5_000,
    });
    expect(httpTimeoutsFromEnv({})).toEqual(HTTP_TIMEOUT_DEFAULTS);
  });

  it('reads HTTP_REQUEST_TIMEOUT_MS, HTTP_HEADERS_TIMEOUT_MS and HTTP_KEEP_ALIVE_TIMEOUT_MS', () => {
    expect(
      httpTimeoutsFromEnv({
        HTTP_REQUEST_TIMEOUT_MS: '1500',
        HTTP_HEADERS_TIMEOUT_MS: ' 1000 ',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '500',
      }),
    ).toEqual({
      requestTimeoutMs: 1500,
      headersTimeoutMs: 1000,
      keepAliveTimeoutMs: 500,
    });
  });

  it('lowers the default headers timeout to a shorter request timeout', () => {
    expect(httpTimeoutsFromEnv({ HTTP_REQUEST_TIMEOUT_MS: '2000' }).headersTimeoutMs).toBe(2000);
  });

  it.each(['0', '-5', '1.5', 'soon'])('refuses %s with the variable named', (value) => {
    expect(() => httpTimeoutsFromEnv({ HTTP_KEEP_ALIVE_TIMEOUT_MS: value })).toThrow(ConfigError);
    expect(() => httpTimeoutsFromEnv({ HTTP_KEEP_ALIVE_TIMEOUT_MS: value })).toThrow(/HTTP_KEEP_ALIVE_TIMEOUT_MS/);
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    expect(() => httpTimeoutsFromEnv({ HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_HEADERS_TIMEOUT_MS: '2000' })).toThrow(
      /must not exceed/,
    );
  });
});
