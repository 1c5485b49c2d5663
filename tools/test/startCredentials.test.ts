import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
    const secrets = [
      first.apiKey,
      first.adminKey,
      first.dashboardPassword,
      first.postgresPassword,
      first.rabbitmq.password,
      first.loginToken,
    ];
    for (const value of secrets) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(secrets).size).toBe(secrets.length);
    expect(first.dashboardUser).toBe('admin');
    // The broker's user is the pipeline's own, never guest.
    expect(first.rabbitmq.name).toBe('petzi');
    expect(Object.keys(JSON.parse(readFileSync(first.file, 'utf8')) as object).sort()).toEqual(
      ['adminKey', 'apiKey', 'dashboardPassword', 'postgresPassword', 'rabbitmqPassword', 'rabbitmqUser'].sort(),
    );

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
    for (const text of [
      '{"apiKey": 3}',
      '[]',
      '"x"',
      '{"apiKey": "a", "adminKey": "b", "dashboardPassword": "c", "postgresPassword": ""}',
    ]) {
      writeFileSync(path.join(dir, 'credentials.json'), text);
      expect(() => ensureCredentials(dir, {})).toThrow(/delete it/);
      // Refused means left as it was.
      expect(readFileSync(path.join(dir, 'credentials.json'), 'utf8')).toBe(text);
    }
  });

  it('completes a file of an earlier version in place: the keys and password it holds stay, the Postgres and RabbitMQ ones are added', () => {
    const file = path.join(dir, 'credentials.json');
    const earlier = { apiKey: 'k'.repeat(43), adminKey: 'a'.repeat(43), dashboardPassword: 'p'.repeat(43) };
    writeFileSync(file, JSON.stringify(earlier), { mode: 0o644 });
    const said: string[] = [];
    const made = ensureCredentials(dir, {}, (line) => said.push(line));
    expect(made).toMatchObject({
      apiKey: earlier.apiKey,
      adminKey: earlier.adminKey,
      dashboardPassword: earlier.dashboardPassword,
      rabbitmq: { name: 'petzi' },
    });
    expect(made.postgresPassword).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(made.rabbitmq.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(said).toEqual([`credentials: added postgresPassword, rabbitmqUser, rabbitmqPassword to ${file}`]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      ...earlier,
      postgresPassword: made.postgresPassword,
      rabbitmqUser: 'petzi',
      rabbitmqPassword: made.rabbitmq.password,
    });
    expect(mode(file)).toBe(0o600);
    // Nothing left beside it, and the next run reads the same without a word.
    expect(readdirSync(dir)).toEqual(['credentials.json']);
    said.length = 0;
    expect({ ...ensureCredentials(dir, {}, (line) => said.push(line)), loginToken: '' }).toEqual({
      ...made,
      loginToken: '',
    });
    expect(said).toEqual([]);
  });

  it('lets the environment override each one', () => {
    const made = ensureCredentials(dir, {
      PETZI_API_KEY: 'k',
      PETZI_ADMIN_KEY: 'a',
      DASHBOARD_USER: 'u',
      DASHBOARD_PASSWORD: 'p',
    });
    expect(made).toMatchObject({ apiKey: 'k', adminKey: 'a', dashboardUser: 'u', dashboardPassword: 'p' });
  });

  it('gives the host both keys, the bridge the API key, the dashboard the login and both keys (the admin key for the redrive)', () => {
    const made = ensureCredentials(dir, {});
    const env = credentialEnv(made);
    expect(env.functions).toEqual({ PETZI_API_KEY: made.apiKey, PETZI_ADMIN_KEY: made.adminKey });
    expect(env.bridge).toEqual({ PETZI_API_KEY: made.apiKey });
    expect(env.dashboard).toEqual({
      PETZI_API_KEY: made.apiKey,
      PETZI_ADMIN_KEY: made.adminKey,
      DASHBOARD_USER: 'admin',
      DASHBOARD_PASSWORD: made.dashboardPassword,
      DASHBOARD_LOGIN_TOKEN: made.loginToken,
    });
  });
});

describe('the banner lines', () => {
  it('print a one-click login URL and where the rest is kept, never a key or the password', () => {
    const made = ensureCredentials(dir, {});
    const text = loginLines('http://localhost:8080', made).join('\n');
    expect(text).toContain(`http://localhost:8080/?token=${made.loginToken}`);
    expect(text).toContain(made.file);
    for (const secret of [
      made.apiKey,
      made.adminKey,
      made.dashboardPassword,
      made.postgresPassword,
      made.rabbitmq.password,
    ])
      expect(text).not.toContain(secret);
  });

  it('"Try it" never prints the webhook secret: the example one is the simulator default, a real one is named by its variable', () => {
    expect(tryItLine('http://localhost:5000/webhook', 'secret')).toBe(
      'Try it:  npm run simulate -- http://localhost:5000/webhook --count 20 --event mixed',
    );
    const real = tryItLine('http://localhost:5000/webhook', 'Zq8-real-secret,older-one');
    expect(real).toBe(
      'Try it:  npm run simulate -- http://localhost:5000/webhook "$PETZI_WEBHOOK_SECRET" --count 20 --event mixed',
    );
    expect(real).not.toMatch(/Zq8-real-secret|older-one/);
  });
});
