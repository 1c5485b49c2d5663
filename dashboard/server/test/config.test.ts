import path from 'node:path';
import { ConfigError } from '../../../functions/src';
import { DASHBOARD_DEFAULTS, loadDashboardConfig } from '../src/config';

describe('loadDashboardConfig', () => {
  it('uses the documented defaults', () => {
    expect(loadDashboardConfig({})).toMatchObject({
      port: 8080,
      hostname: '127.0.0.1',
      login: undefined,
      apiKey: undefined,
      adminKey: undefined,
      distDir: path.resolve(DASHBOARD_DEFAULTS.distDir),
      functionsUrl: 'http://127.0.0.1:5000',
      bridgeUrl: 'http://127.0.0.1:5001',
      publicOrigins: [],
      trustProxy: false,
      loginFailuresPerMinute: 10,
      loginFailuresCeiling: 100,
      maxStreams: 1000,
      maxStreamsPerSession: 10,
      clientBufferBytes: 1024 * 1024,
    });
  });

  it('reads the seams settings: public origins, the proxy in front, the login throttle and the stream caps', () => {
    const config = loadDashboardConfig({
      DASHBOARD_PUBLIC_ORIGIN: 'https://tickets.example.org, http://10.0.0.5:8080',
      DASHBOARD_TRUST_PROXY: 'yes',
      DASHBOARD_LOGIN_FAILURES_PER_MINUTE: '5',
      DASHBOARD_LOGIN_FAILURES_CEILING: '50',
      DASHBOARD_MAX_STREAMS: '200',
      DASHBOARD_MAX_STREAMS_PER_SESSION: '3',
      DASHBOARD_CLIENT_BUFFER_BYTES: '65536',
    });
    expect(config.publicOrigins?.map((u) => u.origin)).toEqual(['https://tickets.example.org', 'http://10.0.0.5:8080']);
    expect(config).toMatchObject({
      trustProxy: true,
      loginFailuresPerMinute: 5,
      loginFailuresCeiling: 50,
      maxStreams: 200,
      maxStreamsPerSession: 3,
      clientBufferBytes: 65536,
    });
  });

  it('reads each variable, trimmed; the first of the API keys and of the admin keys', () => {
    const config = loadDashboardConfig({
      PORT: ' 0 ',
      DASHBOARD_PASSWORD: 'pw',
      PETZI_API_KEY: 'new, old',
      PETZI_ADMIN_KEY: ' admin-new ,admin-old',
      DASHBOARD_DIST: '/srv/app',
      FUNCTIONS_URL: 'https://functions.example.test',
      BRIDGE_URL: 'http://bridge:5001',
    });
    expect(config).toMatchObject({
      port: 0,
      apiKey: 'new',
      adminKey: 'admin-new',
      distDir: '/srv/app',
      functionsUrl: 'https://functions.example.test',
      bridgeUrl: 'http://bridge:5001',
    });
    expect(config.login).toMatchObject({ user: 'admin', password: 'pw' });
  });

  it.each([
    ['PORT', '8o80', /PORT must be an integer from 0 to 65535/],
    ['PORT', '65536', /PORT must be an integer from 0 to 65535/],
    ['FUNCTIONS_URL', '127.0.0.1:5000', /FUNCTIONS_URL must be a URL starting http:\/\/ or https:\/\//],
    ['BRIDGE_URL', 'ws://127.0.0.1:5001', /BRIDGE_URL must be a URL starting http:\/\/ or https:\/\/, got a ws: URL/],
    ['HTTP_REQUEST_TIMEOUT_MS', '30s', /HTTP_REQUEST_TIMEOUT_MS must be a positive integer \(milliseconds\)/],
    ['PETZI_API_KEY', ',', /PETZI_API_KEY must be a comma-separated list/],
    ['DASHBOARD_PUBLIC_ORIGIN', 'tickets.example.org', /DASHBOARD_PUBLIC_ORIGIN must list origins/],
    [
      'DASHBOARD_PUBLIC_ORIGIN',
      'https://tickets.example.org/app',
      /DASHBOARD_PUBLIC_ORIGIN must list origins .*no path/,
    ],
    ['DASHBOARD_PUBLIC_ORIGIN', 'ftp://tickets.example.org', /DASHBOARD_PUBLIC_ORIGIN must list origins/],
    ['DASHBOARD_PUBLIC_ORIGIN', 'https://user:pw@tickets.example.org', /DASHBOARD_PUBLIC_ORIGIN must list origins/],
    ['DASHBOARD_TRUST_PROXY', 'maybe', /DASHBOARD_TRUST_PROXY must be one of/],
    ['DASHBOARD_LOGIN_FAILURES_PER_MINUTE', '0', /DASHBOARD_LOGIN_FAILURES_PER_MINUTE must be a positive integer/],
    ['DASHBOARD_LOGIN_FAILURES_CEILING', 'lots', /DASHBOARD_LOGIN_FAILURES_CEILING must be a positive integer/],
    ['DASHBOARD_MAX_STREAMS', '-1', /DASHBOARD_MAX_STREAMS must be a positive integer \(streams\)/],
    ['DASHBOARD_MAX_STREAMS_PER_SESSION', '1.5', /DASHBOARD_MAX_STREAMS_PER_SESSION must be a positive integer/],
    [
      'DASHBOARD_CLIENT_BUFFER_BYTES',
      '100',
      /DASHBOARD_CLIENT_BUFFER_BYTES must be an integer of at least 1024 \(bytes\)/,
    ],
  ])('%s=%s is a configuration error naming it', (name, value, message) => {
    expect(() => loadDashboardConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadDashboardConfig({ [name]: value })).toThrow(message);
  });

  it('refuses to run open when bound wide, naming DASHBOARD_PASSWORD', () => {
    expect(() => loadDashboardConfig({ HOST: '0.0.0.0' })).toThrow(/set DASHBOARD_PASSWORD/);
  });
});
