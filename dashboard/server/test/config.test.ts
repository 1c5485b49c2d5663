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
  ])('%s=%s is a configuration error naming it', (name, value, message) => {
    expect(() => loadDashboardConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadDashboardConfig({ [name]: value })).toThrow(message);
  });

  it('refuses to run open when bound wide, naming DASHBOARD_PASSWORD', () => {
    expect(() => loadDashboardConfig({ HOST: '0.0.0.0' })).toThrow(/set DASHBOARD_PASSWORD/);
  });
});
