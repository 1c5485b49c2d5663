import { createHash } from 'node:crypto';
import * as amqp from 'amqplib';
import { declareTopology, topologyNames } from '../../../functions/src/broker/topology';
import { deleteTopology } from '../../../test/support/broker';
import { TEST_RABBITMQ_URL, uniqueName } from '../../../test/support/env';
import { amqpUrlFor, management, vhostPath } from './management';
import { loadCompose, readRepoFile, service } from './repo';
import { topologyShape } from './topologyShape';

/**
 * infra/rabbitmq/definitions.json is what the rabbitmq container loads at boot; the code declares
 * its topology itself. Both are checked on the real broker so they cannot drift apart.
 */
interface Definitions {
  users: Array<{ name: string; password_hash: string; hashing_algorithm: string; tags: string[] }>;
  vhosts: Array<{ name: string }>;
  permissions: Array<{ user: string; vhost: string; configure: string; write: string; read: string }>;
  exchanges: Array<Record<string, unknown>>;
  queues: Array<Record<string, unknown>>;
  bindings: Array<Record<string, unknown>>;
}

const definitions = JSON.parse(readRepoFile('infra/rabbitmq/definitions.json')) as Definitions;

/** rabbit_password_hashing_sha256: base64(salt(4) ‖ sha256(salt ‖ password)). */
function hashMatches(passwordHash: string, password: string): boolean {
  const bytes = Buffer.from(passwordHash, 'base64');
  const salt = bytes.subarray(0, 4);
  return createHash('sha256').update(Buffer.concat([salt, Buffer.from(password, 'utf8')])).digest().equals(bytes.subarray(4));
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

describe('infra/rabbitmq/definitions.json', () => {
  const expected = topologyShape(definitions);

  it('declares what declareTopology declares on a live broker', async () => {
    const prefix = uniqueName('containers');
    const names = topologyNames(prefix);
    try {
      await withChannel(TEST_RABBITMQ_URL, (channel) => declareTopology(channel, names));
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
      await management('PUT', `/api/permissions/${vhostPath(vhost)}/guest`, { configure: '.*', write: '.*', read: '.*' });
      const inVhost = <T extends Record<string, unknown>>(items: T[]) => items.map((item) => ({ ...item, vhost }));
      await management('POST', `/api/definitions/${vhostPath(vhost)}`, {
        exchanges: inVhost(definitions.exchanges),
        queues: inVhost(definitions.queues),
        bindings: inVhost(definitions.bindings),
      });
      // Any difference in type, durability or arguments would close the channel with PRECONDITION_FAILED.
      await withChannel(amqpUrlFor(vhost), (channel) => declareTopology(channel));
      const live = await readTopology(vhost, (name) => name.startsWith('petzi.'));
      expect(topologyShape(live)).toEqual(expected);
    } finally {
      await management('DELETE', `/api/vhosts/${vhostPath(vhost)}`);
    }
  });

  it('names only petzi.* objects on the default vhost', () => {
    const names = [...definitions.exchanges, ...definitions.queues].map((o) => o.name);
    for (const name of names) expect(name).toMatch(/^petzi\./);
    for (const item of [...definitions.exchanges, ...definitions.queues, ...definitions.bindings]) expect(item.vhost).toBe('/');
  });

  it('creates the guest/guest administrator the POC documents, with every permission on "/"', async () => {
    expect(definitions.vhosts).toEqual([{ name: '/' }]);
    expect(definitions.users.map(({ name, tags, hashing_algorithm }) => ({ name, tags, hashing_algorithm }))).toEqual([
      { name: 'guest', tags: ['administrator'], hashing_algorithm: 'rabbit_password_hashing_sha256' },
    ]);
    expect(hashMatches(definitions.users[0].password_hash, 'guest')).toBe(true);
    expect(hashMatches(definitions.users[0].password_hash, 'not-guest')).toBe(false);
    expect(definitions.permissions).toEqual([{ user: 'guest', vhost: '/', configure: '.*', write: '.*', read: '.*' }]);
    // The same hash check accepts the hash the live broker stores for the password the tests log in with.
    const live = await management<{ password_hash: string; hashing_algorithm: string }>('GET', '/api/users/guest');
    expect(live.hashing_algorithm).toBe('rabbit_password_hashing_sha256');
    expect(hashMatches(live.password_hash, decodeURIComponent(new URL(TEST_RABBITMQ_URL).password))).toBe(true);
  });

  it('is loaded at boot by rabbitmq.conf from where compose mounts it', () => {
    const conf = readRepoFile('infra/rabbitmq/rabbitmq.conf');
    const setting = (key: string) => new RegExp(`^${key.replace(/\./g, '\\.')}\\s*=\\s*(\\S+)\\s*$`, 'm').exec(conf)?.[1];
    const mounts = (service(loadCompose(), 'rabbitmq').volumes ?? []).map((v) => v.split(':'));
    expect(mounts).toContainEqual(['./infra/rabbitmq/definitions.json', setting('load_definitions'), 'ro']);
    expect(mounts).toContainEqual(['./infra/rabbitmq/rabbitmq.conf', '/etc/rabbitmq/rabbitmq.conf', 'ro']);
    // The other containers log in as guest over the network, not loopback.
    expect(setting('loopback_users.guest')).toBe('false');
  });
});
