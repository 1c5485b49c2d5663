import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { credentialEnv, ensureCredentials, loginLines, tryItLine } from '../start/credentials';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'petzi-creds-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (file: string) => statSync(file).mode & 0o777;

describe('npm start credentials', () => {
  it('are generated on the first run into .data/credentials.json, mode 0600, and the same on the next run', () => {
    const dataDir = path.join(dir, '.data');
    const first = ensureCredentials(dataDir, {});
    expect(first.file).toBe(path.join(dataDir, 'credentials.json'));
    expect(mode(first.file)).toBe(0o600);
    for (const value of [first.apiKey, first.adminKey, first.dashboardPassword, first.loginToken]) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set([first.apiKey, first.adminKey, first.dashboardPassword, first.loginToken]).size).toBe(4);
    expect(first.dashboardUser).toBe('admin');

    const second = ensureCredentials(dataDir, {});
    expect({ ...second, loginToken: '' }).toEqual({ ...first, loginToken: '' });
    // The one-click token is new on every run and never written down.
    expect(second.loginToken).not.toBe(first.loginToken);
    expect(readFileSync(first.file, 'utf8')).not.toContain(first.loginToken);
  });

  it('puts a file that was opened up back to 0600', () => {
    const made = ensureCredentials(dir, {});
    chmodSync(made.file, 0o644);
    ensureCredentials(dir, {});
    expect(mode(made.file)).toBe(0o600);
  });

  it('refuses a file it did not write, saying what to do', () => {
    writeFileSync(path.join(dir, 'credentials.json'), '{"apiKey": 3}');
    expect(() => ensureCredentials(dir, {})).toThrow(/delete it/);
  });

  it('lets the environment override each one', () => {
    const made = ensureCredentials(dir, { PETZI_API_KEY: 'k', PETZI_ADMIN_KEY: 'a', DASHBOARD_USER: 'u', DASHBOARD_PASSWORD: 'p' });
    expect(made).toMatchObject({ apiKey: 'k', adminKey: 'a', dashboardUser: 'u', dashboardPassword: 'p' });
  });

  it('gives the host both keys, the bridge the API key, the dashboard the login and the API key', () => {
    const made = ensureCredentials(dir, {});
    const env = credentialEnv(made);
    expect(env.functions).toEqual({ PETZI_API_KEY: made.apiKey, PETZI_ADMIN_KEY: made.adminKey });
    expect(env.bridge).toEqual({ PETZI_API_KEY: made.apiKey });
    expect(env.dashboard).toEqual({ PETZI_API_KEY: made.apiKey, DASHBOARD_USER: 'admin', DASHBOARD_PASSWORD: made.dashboardPassword, DASHBOARD_LOGIN_TOKEN: made.loginToken });
  });
});

describe('the banner lines', () => {
  it('print a one-click login URL and where the rest is kept, never a key or the password', () => {
    const made = ensureCredentials(dir, {});
    const text = loginLines('http://localhost:8080', made).join('\n');
    expect(text).toContain(`http://localhost:8080/?token=${made.loginToken}`);
    expect(text).toContain(made.file);
    for (const secret of [made.apiKey, made.adminKey, made.dashboardPassword]) expect(text).not.toContain(secret);
  });

  it('"Try it" never prints the webhook secret: the example one is the simulator default, a real one is named by its variable', () => {
    expect(tryItLine('http://localhost:5000/webhook', 'secret')).toBe('Try it:  npm run simulate -- http://localhost:5000/webhook --count 20 --event mixed');
    const real = tryItLine('http://localhost:5000/webhook', 'Zq8-real-secret,older-one');
    expect(real).toBe('Try it:  npm run simulate -- http://localhost:5000/webhook "$PETZI_WEBHOOK_SECRET" --count 20 --event mixed');
    expect(real).not.toMatch(/Zq8-real-secret|older-one/);
  });
});
