import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import * as amqp from 'amqplib';
import { freePort } from '../bench/support';
import { ensureChromium } from '../provision/chromium';
import { installingAllowed } from '../provision/install';
import { postgresAnswers } from '../provision/postgres';
import { amqpAnswers, ensureRabbit, freeNodePorts, nodePorts, NoBrokerError } from '../provision/rabbitmq';
import { ensureTestTools } from '../provision/testTools';
import { defaultListenPorts } from '../start/ports';
import { uniqueName } from '../../test/support/env';
import { expectedParentMode, modeOf, notOwnedBy, openToOthers, serviceUid, openUp } from '../../test/support/fileModes';
import { holdNpmStartPorts, type HeldPorts } from '../../test/support/heldPorts';
import { isListening } from '../../test/support/processes';
import { embeddedPostgresInChild, provisionInChild } from '../../test/support/provisionChild';

const ROOT = path.resolve(__dirname, '..', '..');
const quiet = () => undefined;
const noInstall = { allowed: false, logDir: '/nonexistent', env: {} };

// A user's own `npm start` may be running: every service started here must take other ports.
let npmStartPorts: HeldPorts;
beforeAll(async () => {
  npmStartPorts = await holdNpmStartPorts();
});
afterAll(() => npmStartPorts.release());

describe('installing packages', () => {
  it('is on unless --no-install or PETZI_NO_INSTALL says otherwise', () => {
    expect(installingAllowed(['node', 'start.js'], {})).toBe(true);
    expect(installingAllowed(['node', 'start.js', '--no-install'], {})).toBe(false);
    for (const value of ['1', 'true', 'YES']) expect(installingAllowed([], { PETZI_NO_INSTALL: value })).toBe(false);
    for (const value of ['', '0', 'no']) expect(installingAllowed([], { PETZI_NO_INSTALL: value })).toBe(true);
  });
});

describe('Chromium', () => {
  it('takes CHROMIUM_PATH as it is', async () => {
    await expect(ensureChromium({ CHROMIUM_PATH: process.execPath }, noInstall, quiet)).resolves.toBe(process.execPath);
  });

  it('refuses a CHROMIUM_PATH that is not an executable, saying which', async () => {
    await expect(ensureChromium({ CHROMIUM_PATH: '/nonexistent/chrome' }, noInstall, quiet)).rejects.toThrow(
      'CHROMIUM_PATH=/nonexistent/chrome is not an executable file',
    );
  });
});

describe('the tools some tests run', () => {
  it('names each one missing when installing is off, and looks no further for those on PATH', async () => {
    const said: string[] = [];
    await ensureTestTools({ PATH: '/nonexistent' }, noInstall, (line) => said.push(line));
    expect(said).toEqual([
      'docker-compose: not found and not installed; the tests that run it will fail',
      'promtool: not found and not installed; the tests that run it will fail',
    ]);
    said.length = 0;
    await ensureTestTools({ PATH: path.join(ROOT, 'test/fixtures/tools') }, noInstall, (line) => said.push(line));
    expect(said).toEqual([]);
  });
});

describe('RabbitMQ', () => {
  it('uses the given URL without looking any further', async () => {
    const handle = await ensureRabbit({
      given: 'amqp://someone:else@broker.invalid:5672',
      probe: { urls: ['amqp://guest:guest@127.0.0.1:1'], managementUrl: 'http://127.0.0.1:1' },
      user: { name: 'petzi', password: 'unused' },
      dataDir: '/nonexistent',
      port: 1,
      install: noInstall,
      env: {},
      log: quiet,
    });
    expect(handle).toMatchObject({
      url: 'amqp://someone:else@broker.invalid:5672',
      source: 'RABBITMQ_URL',
      user: 'someone',
    });
  });

  it('says how to get a broker when there is none, no server, no engine and installing is off', async () => {
    const probePort = await freePort();
    const attempt = ensureRabbit({
      probe: { urls: [`amqp://guest:guest@127.0.0.1:${probePort}`], managementUrl: 'http://127.0.0.1:1' },
      user: { name: 'petzi', password: 'unused' },
      dataDir: '/nonexistent',
      port: await freePort(),
      install: noInstall,
      env: {
        RABBITMQ_SERVER_BIN: '/nonexistent/rabbitmq-server',
        DOCKER_HOST: 'unix:///nonexistent/docker.sock',
        PATH: process.env.PATH,
      },
      log: quiet,
    });
    await expect(attempt).rejects.toBeInstanceOf(NoBrokerError);
    await expect(attempt).rejects.toThrow(`nothing answers at amqp://127.0.0.1:${probePort}`);
  });
});

async function refusedAt(url: string): Promise<boolean> {
  return !(await postgresAnswers(url));
}

/**
 * Publishes a persistent message with a buyer's name to a durable queue, confirmed: it reaches the node's message
 * store.
 */
async function storeBuyerName(url: string): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    const queue = uniqueName('modes');
    await channel.assertQueue(queue, { durable: true });
    // Above queue_index_embed_msgs_below (4 KiB): kept in the message store files, not the queue index.
    channel.sendToQueue(
      queue,
      Buffer.from(JSON.stringify({ buyer: { firstName: 'Ada', lastName: 'Lovelace' }, pad: 'x'.repeat(8192) })),
      { persistent: true },
    );
    await channel.waitForConfirms();
    await channel.deleteQueue(queue);
    await channel.close();
  } finally {
    await connection.close();
  }
}

/** What a private node's folder must look like: 0700, owned by the node's user, nothing inside open to anyone else. */
function expectPrivate(folder: string, user: string): void {
  expect(modeOf(folder)).toBe(0o700);
  expect(openToOthers(folder)).toEqual([]);
  expect(notOwnedBy(folder, serviceUid(user))).toEqual([]);
}

describe('the services of npm test', () => {
  const CHILD = (dist: (module: string) => string) => `
    const { provisionTestServices } = require(${dist('testServices')});
    provisionTestServices(process.env, { allowed: false, logDir: '/nonexistent', env: process.env }, () => undefined).then((services) => {
      process.stdout.write(JSON.stringify(services.env) + '\\n');
      process.stdin.resume();
      process.stdin.on('end', () => services.stop().then(() => process.exit(0)));
    }, (error) => { console.error(error); process.exit(1); });`;

  it('starts an embedded Postgres and a private RabbitMQ node on free ports when nothing answers, with passwords of their own, data kept private, and stops them', async () => {
    const dead = { db: await freePort(), amqp: await freePort() };
    const child = provisionInChild(CHILD, {
      PATH: process.env.PATH,
      // A machine without a UTF-8 locale, like a minimal Debian.
      LC_ALL: 'C',
      TEST_DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${dead.db}/postgres`,
      TEST_RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${dead.amqp}`,
      TEST_RABBITMQ_MANAGEMENT_URL: 'http://127.0.0.1:1',
      CHROMIUM_PATH: process.execPath,
    });
    const ports: number[] = [];
    try {
      const env = await child.first;
      const db = new URL(env.TEST_DATABASE_URL);
      const broker = new URL(env.TEST_RABBITMQ_URL);
      const management = new URL(env.TEST_RABBITMQ_MANAGEMENT_URL);
      ports.push(Number(db.port), Number(broker.port), Number(management.port));
      // Never the machine's own services' ports, whoever holds them, nor a default npm start's.
      for (const port of [5432, 5672, ...defaultListenPorts()]) expect(ports).not.toContain(port);
      expect(env.CHROMIUM_PATH).toBe(process.execPath);

      const client = new Client({ connectionString: env.TEST_DATABASE_URL });
      await client.connect();
      const { rows } = await client.query<{ user: string; encoding: string }>(
        "SELECT current_user AS user, pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = 'template1'",
      );
      const dataDirectory = (await client.query<{ data_directory: string }>('SHOW data_directory')).rows[0]
        .data_directory;
      await client.end();
      // UTF8 whatever the machine's locale: jsonb refuses the senders' \u escapes in SQL_ASCII.
      expect(rows).toEqual([{ user: 'postgres', encoding: 'UTF8' }]);
      // A password made for this run, not the fixed one.
      expect(db.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await refusedAt(`postgres://postgres:postgres@127.0.0.1:${db.port}/postgres`)).toBe(true);

      // The node's one user is in the URL; guest does not exist there.
      expect(decodeURIComponent(broker.username)).toBe('petzi');
      expect(await amqpAnswers(env.TEST_RABBITMQ_URL)).toBe(true);
      expect(await amqpAnswers(`amqp://guest:guest@127.0.0.1:${broker.port}`)).toBe(false);
      const login = (user: string, password: string) => ({
        Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
      });
      const overview = await fetch(`${env.TEST_RABBITMQ_MANAGEMENT_URL}/api/overview`, {
        headers: login('petzi', decodeURIComponent(broker.password)),
      });
      expect(overview.status).toBe(200);
      await overview.arrayBuffer();
      const asGuest = await fetch(`${env.TEST_RABBITMQ_MANAGEMENT_URL}/api/overview`, {
        headers: login('guest', 'guest'),
      });
      expect(asGuest.status).toBe(401);
      await asGuest.arrayBuffer();

      // Who can read what: the scratch folder is passed through, each service's folder is its user's alone.
      await storeBuyerName(env.TEST_RABBITMQ_URL);
      const scratch = path.dirname(dataDirectory);
      expect(path.basename(dataDirectory)).toBe('postgres');
      expect(modeOf(scratch)).toBe(expectedParentMode());
      expectPrivate(dataDirectory, 'postgres');
      expectPrivate(path.join(scratch, 'rabbitmq'), 'rabbitmq');
    } finally {
      expect(await child.stop()).toBe(0);
    }
    for (const port of ports) expect(await isListening(port)).toBe(false);
  }, 180_000);
});

describe('a data folder of an earlier version', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'petzi-upgrade-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it("has its embedded Postgres's fixed password postgres replaced by the generated one on start (ALTER ROLE), and a wrong one named", async () => {
    const port = await freePort();
    const start = (password: string) => embeddedPostgresInChild({ dataDir, port, password });
    const url = (password: string) => `postgres://postgres:${password}@127.0.0.1:${port}/petzi`;

    // What an earlier version made: a cluster whose superuser has the password postgres.
    const earlier = start('postgres');
    expect((await earlier.first).url).toBe(url('postgres'));
    expect(await earlier.stop()).toBe(0);

    const generated = 'Zq8-generated-postgres-password_0123456789a';
    const upgraded = start(generated);
    try {
      const first = await upgraded.first;
      expect(first.url).toBe(url(generated));
      expect(first.said).toContain(
        "the embedded server's superuser had the former fixed password; it now has the generated one",
      );
      expect(await postgresAnswers(url(generated))).toBe(true);
      expect(await refusedAt(url('postgres'))).toBe(true);
      expectPrivate(path.join(dataDir, 'postgres'), 'postgres');
    } finally {
      expect(await upgraded.stop()).toBe(0);
    }

    // credentials.json lost: the message says what to do, and the server is stopped again.
    const lost = start('Zq8-some-other-password');
    const said = await lost.first;
    expect(said.error).toContain('accepts neither its generated password nor the former fixed one');
    expect(said.error).toContain('put back the credentials.json');
    expect(await lost.stop()).toBe(1);
    expect(await isListening(port)).toBe(false);
  }, 120_000);

  it('has its private RabbitMQ node lose guest/guest, take the new password, and close its folder again', async () => {
    const port = await freeNodePorts();
    const start = (password: string, log: (line: string) => void = quiet) =>
      ensureRabbit({
        probe: { urls: [], managementUrl: 'http://127.0.0.1:1' },
        user: { name: 'petzi', password },
        dataDir,
        port,
        install: noInstall,
        env: process.env,
        log,
      });
    const first = await start('Zq8-first-password');
    try {
      expect(first).toMatchObject({
        source: 'private node',
        user: 'petzi',
        url: `amqp://petzi:Zq8-first-password@127.0.0.1:${port}`,
      });
      // What an earlier version left: a node with guest/guest, its folders and files open to everyone.
      const ctl = (args: string[]) =>
        spawnSync('rabbitmqctl', ['-n', `petzi-${port}@localhost`, ...args], {
          env: { ...process.env, ERL_EPMD_PORT: String(port + 30_000) },
          encoding: 'utf8',
        });
      expect(ctl(['add_user', 'guest', 'guest']).status).toBe(0);
      expect(ctl(['set_permissions', '-p', '/', 'guest', '.*', '.*', '.*']).status).toBe(0);
      expect(await amqpAnswers(`amqp://guest:guest@127.0.0.1:${port}`)).toBe(true);
    } finally {
      await first.stop();
    }
    openUp(dataDir);
    expect(openToOthers(path.join(dataDir, 'rabbitmq')).length).toBeGreaterThan(10);

    const said: string[] = [];
    const second = await start('Zq8-second-password', (line) => said.push(line));
    try {
      expect(said).toContain(
        'RabbitMQ: the private node still had the user guest/guest; deleting it (its user is now the generated one)',
      );
      expect(await amqpAnswers(`amqp://guest:guest@127.0.0.1:${port}`)).toBe(false);
      expect(await amqpAnswers(`amqp://petzi:Zq8-first-password@127.0.0.1:${port}`)).toBe(false);
      expect(await amqpAnswers(second.url)).toBe(true);
      await storeBuyerName(second.url);
      expect(modeOf(dataDir)).toBe(expectedParentMode());
      expectPrivate(path.join(dataDir, 'rabbitmq'), 'rabbitmq');
    } finally {
      await second.stop();
    }
    for (const taken of nodePorts(port)) expect(await isListening(taken)).toBe(false);
  }, 180_000);
});
