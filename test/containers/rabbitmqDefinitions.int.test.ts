import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as amqp from 'amqplib';
import { declareTopology, topologyNames } from '../../functions/src';
import { deleteTopology } from '../support/broker';
import { TEST_RABBITMQ_URL, uniqueName } from '../support/env';
import { amqpUrlFor, management, vhostPath } from './management';

import { loadCompose, readRepoFile, repoPath, service } from './repo';
import { topologyShape } from './topologyShape';

/** The user the tests log into the broker as (guest where the broker still has it). */
const TEST_BROKER_USER = decodeURIComponent(new URL(TEST_RABBITMQ_URL).username) || 'guest';

/**
 * infra/rabbitmq/definitions.json is what the rabbitmq container loads at boot; the code declares
 * its topology itself. Both are checked on the real broker so they cannot drift apart.
 */
interface Definitions {
  users: Array<Record<string, unknown>>;
  vhosts: Array<{ name: string }>;
  permissions: Array<Record<string, unknown>>;
  exchanges: Array<Record<string, unknown>>;
  queues: Array<Record<string, unknown>>;
  bindings: Array<Record<string, unknown>>;
}

const definitions = JSON.parse(readRepoFile('infra/rabbitmq/definitions.json')) as Definitions;

/** rabbit_password_hashing_sha256: base64(salt(4) ‖ sha256(salt ‖ password)). */
function hashMatches(passwordHash: string, password: string): boolean {
  const bytes = Buffer.from(passwordHash, 'base64');
  const salt = bytes.subarray(0, 4);
  return createHash('sha256')
    .update(Buffer.concat([salt, Buffer.from(password, 'utf8')]))
    .digest()
    .equals(bytes.subarray(4));
}

/** Runs infra/rabbitmq/start.sh up to the broker's start, on the committed template; returns what it rendered. */
function renderDefinitions(env: Record<string, string>): {
  status: number | null;
  definitions?: string;
  stderr: string;
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'petzi-rabbitmq-'));
  try {
    const script = readRepoFile('infra/rabbitmq/start.sh')
      .replace(/^template=\S+$/m, `template=${repoPath('infra/rabbitmq/definitions.json')}`)
      .replace(/^out=\S+$/m, `out=${path.join(dir, 'definitions.json')}`)
      .replace('"$(dirname "$0")/require-env.sh"', repoPath('infra/docker/require-env.sh'))
      .replace(/^if command -v docker-entrypoint\.sh.*$/m, '')
      .replace(/^exec rabbitmq-server$/m, 'exit 0');
    const result = spawnSync('sh', ['-c', script], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
    const definitions = result.status === 0 ? readFileSync(path.join(dir, 'definitions.json'), 'utf8') : undefined;
    return { status: result.status, definitions, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function withChannel(url: string, use: (channel: amqp.Channel) => Promise<void>): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    // A refused declaration rejects the call below; the channel's own error event adds nothing.
    channel.on('error', () => undefined);
    await use(channel);
    await channel.close();
  } finally {
    await connection.close();
  }
}

async function readTopology(vhost: string, belongs: (name: string) => boolean) {
  const path = vhostPath(vhost);
  const [exchanges, queues, bindings] = await Promise.all([
    management<Array<Record<string, unknown>>>('GET', `/api/exchanges/${path}`),
    management<Array<Record<string, unknown>>>('GET', `/api/queues/${path}`),
    management<Array<Record<string, unknown>>>('GET', `/api/bindings/${path}`),
  ]);
  return {
    exchanges: exchanges.filter((e) => belongs(String(e.name))),
    queues: queues.filter((q) => belongs(String(q.name))),
    // The default exchange's implicit bindings (source "") are not part of any topology.
    bindings: bindings.filter((b) => belongs(String(b.source))),
  };
}

/**
 * definitions.json is the single broker's (compose, classic queues); definitions.quorum.json the
 * cluster's (infra/swarm, PETZI_RELAY_QUEUE_TYPE=quorum). Each must equal what the code declares
 * with that queue type, so a process never meets a queue declared with other arguments.
 */
describe.each([
  ['infra/rabbitmq/definitions.json', 'classic'],
  ['infra/rabbitmq/definitions.quorum.json', 'quorum'],
] as const)('%s (queue type %s)', (file, queueType) => {
  const loaded = JSON.parse(readRepoFile(file)) as Definitions;
  const expected = topologyShape(loaded);

  it('declares what declareTopology declares on a live broker', async () => {
    const prefix = uniqueName('containers');
    const names = topologyNames(prefix);
    try {
      await withChannel(TEST_RABBITMQ_URL, (channel) => declareTopology(channel, names, queueType));
      const strip = (name: string) => (name.startsWith(`${prefix}.`) ? name.slice(prefix.length + 1) : name);
      const live = await readTopology('/', (name) => name.startsWith(`${prefix}.`));
      expect(topologyShape(live, strip)).toEqual(expected);
    } finally {
      await deleteTopology({ ...names });
    }
  });

  it('loads into a broker on which the code then declares its topology without a conflict or an addition', async () => {
    const vhost = uniqueName('containers_vhost');
    await management('PUT', `/api/vhosts/${vhostPath(vhost)}`);
    try {
      await management('PUT', `/api/permissions/${vhostPath(vhost)}/${encodeURIComponent(TEST_BROKER_USER)}`, {
        configure: '.*',
        write: '.*',
        read: '.*',
      });
      const inVhost = <T extends Record<string, unknown>>(items: T[]) => items.map((item) => ({ ...item, vhost }));
      await management('POST', `/api/definitions/${vhostPath(vhost)}`, {
        exchanges: inVhost(loaded.exchanges),
        queues: inVhost(loaded.queues),
        bindings: inVhost(loaded.bindings),
      });
      // Any difference in type, durability or arguments would close the channel with PRECONDITION_FAILED.
      await withChannel(amqpUrlFor(vhost), (channel) => declareTopology(channel, undefined, queueType));
      const live = await readTopology(vhost, (name) => name.startsWith('petzi.'));
      expect(topologyShape(live)).toEqual(expected);
      expect(live.queues.map((q) => q.type)).toEqual(live.queues.map(() => queueType));
    } finally {
      await management('DELETE', `/api/vhosts/${vhostPath(vhost)}`);
    }
  });

  it("differs from the other file in the relay queues' type and arguments only", () => {
    const other = JSON.parse(
      readRepoFile(
        queueType === 'classic' ? 'infra/rabbitmq/definitions.quorum.json' : 'infra/rabbitmq/definitions.json',
      ),
    ) as Definitions;
    const withoutQueueArguments = (d: Definitions) => ({
      ...d,
      queues: d.queues.map((q) => ({ ...q, arguments: {} })),
    });
    expect(withoutQueueArguments(loaded)).toEqual(withoutQueueArguments(other));
  });
});

describe('infra/rabbitmq/definitions.json', () => {
  it('names only petzi.* objects on the default vhost', () => {
    const names = [...definitions.exchanges, ...definitions.queues].map((o) => o.name);
    for (const name of names) expect(name).toMatch(/^petzi\./);
    for (const item of [...definitions.exchanges, ...definitions.queues, ...definitions.bindings])
      expect(item.vhost).toBe('/');
  });

  it('carries no user: start.sh adds the one from .env (no guest, no committed password)', () => {
    expect(definitions.vhosts).toEqual([{ name: '/' }]);
    expect(definitions.users).toEqual([]);
    expect(definitions.permissions).toEqual([]);
  });

  it('start.sh renders a user whose password RabbitMQ hashes at import: it logs in, and no one else does', async () => {
    const user = uniqueName('containers_user');
    const password = `pw-${uniqueName('x')}`;
    const rendered = renderDefinitions({ RABBITMQ_USER: user, RABBITMQ_PASSWORD: password });
    expect(rendered.status).toBe(0);
    const withUser = JSON.parse(rendered.definitions ?? '') as {
      users: Array<Record<string, unknown>>;
      permissions: Array<Record<string, unknown>>;
    } & Definitions;
    expect(withUser.users).toEqual([{ name: user, password, tags: ['administrator'] }]);
    expect(withUser.permissions).toEqual([{ user, vhost: '/', configure: '.*', write: '.*', read: '.*' }]);
    // Everything but the user is the committed file, unchanged.
    expect({ ...withUser, users: [], permissions: [] }).toEqual(definitions);

    const vhost = uniqueName('containers_vhost');
    await management('PUT', `/api/vhosts/${vhostPath(vhost)}`);
    try {
      await management('POST', '/api/definitions', {
        users: withUser.users,
        permissions: withUser.permissions.map((p) => ({ ...p, vhost })),
      });
      const stored = await management<{ password_hash: string }>('GET', `/api/users/${encodeURIComponent(user)}`);
      expect(hashMatches(stored.password_hash, password)).toBe(true);
      const url = new URL(amqpUrlFor(vhost));
      url.username = user;
      url.password = password;
      await withChannel(url.toString(), async (channel) => void (await channel.checkExchange('amq.direct')));
      url.password = 'not-the-password';
      await expect(amqp.connect(url.toString())).rejects.toThrow(/ACCESS_REFUSED|403/);
    } finally {
      await management('DELETE', `/api/users/${encodeURIComponent(user)}`).catch(() => undefined);
      await management('DELETE', `/api/vhosts/${vhostPath(vhost)}`);
    }
  });

  it('start.sh reads the user and password from files (RABBITMQ_*_FILE, swarm secrets), and refuses both forms at once', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'petzi-rabbitmq-secret-'));
    try {
      writeFileSync(path.join(dir, 'password'), 'from-a-file\n');
      const rendered = renderDefinitions({
        RABBITMQ_USER: 'petzi',
        RABBITMQ_PASSWORD_FILE: path.join(dir, 'password'),
      });
      expect(rendered.status).toBe(0);
      expect((JSON.parse(rendered.definitions ?? '') as Definitions).users).toEqual([
        { name: 'petzi', password: 'from-a-file', tags: ['administrator'] },
      ]);
      const both = renderDefinitions({
        RABBITMQ_USER: 'petzi',
        RABBITMQ_PASSWORD: 'x',
        RABBITMQ_PASSWORD_FILE: path.join(dir, 'password'),
      });
      expect({ status: both.status, stderr: both.stderr }).toEqual({
        status: 64,
        stderr: expect.stringContaining('set RABBITMQ_PASSWORD or RABBITMQ_PASSWORD_FILE, not both'),
      });
      const missing = renderDefinitions({ RABBITMQ_USER: 'petzi', RABBITMQ_PASSWORD_FILE: path.join(dir, 'missing') });
      expect({ status: missing.status, stderr: missing.stderr }).toEqual({
        status: 64,
        stderr: expect.stringContaining('missing, unreadable or empty'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('start.sh refuses to start without the user, or with a value that would break the JSON or the amqp URL', () => {
    const cases: Array<Record<string, string>> = [
      {},
      { RABBITMQ_USER: 'petzi' },
      { RABBITMQ_PASSWORD: 'x' },
      { RABBITMQ_USER: 'petzi', RABBITMQ_PASSWORD: 'a"b' },
      { RABBITMQ_USER: 'pe@zi', RABBITMQ_PASSWORD: 'x' },
    ];
    for (const env of cases) {
      const result = renderDefinitions(env);
      expect({ env, status: result.status, stderr: result.stderr }).toEqual({
        env,
        status: 64,
        stderr: expect.stringMatching(/set RABBITMQ_|may hold only/),
      });
    }
  });

  it('is loaded at boot by rabbitmq.conf from where compose mounts it', () => {
    const conf = readRepoFile('infra/rabbitmq/rabbitmq.conf');
    const setting = (key: string) =>
      new RegExp(`^${key.replace(/\./g, '\\.')}\\s*=\\s*(\\S+)\\s*$`, 'm').exec(conf)?.[1];
    const mounts = (service(loadCompose(), 'rabbitmq').volumes ?? []).map((v) => v.split(':'));
    const script = readRepoFile('infra/rabbitmq/start.sh');
    const template = /^template=(\S+)$/m.exec(script)?.[1];
    expect(mounts).toContainEqual(['./infra/rabbitmq/definitions.json', template, 'ro']);
    expect(mounts).toContainEqual(['./infra/rabbitmq/rabbitmq.conf', '/etc/rabbitmq/rabbitmq.conf', 'ro']);
    // The broker loads what start.sh renders, and compose runs start.sh from where it mounts it.
    expect(/^out=(\S+)$/m.exec(script)?.[1]).toBe(setting('load_definitions'));
    const [scriptMount] = mounts.filter(([source]) => source === './infra/rabbitmq/start.sh');
    expect(service(loadCompose(), 'rabbitmq').command).toEqual(['/bin/sh', scriptMount?.[1]]);
    // No guest account anywhere: nothing may open it to the network.
    expect(setting('loopback_users.guest')).toBeUndefined();
  });
});
