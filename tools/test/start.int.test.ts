import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run as simulate } from '../../simulator/src/cli';
import { deleteTopology } from '../../test/support/broker';
import { createTestDatabase } from '../../test/support/db';
import { uniqueName } from '../../test/support/env';
import { openSse } from '../../test/support/sse';
import { alive, commandOf, descendants, isListening } from '../../test/support/processes';
import { waitUntil } from '../../test/support/wait';
import { topologyNames } from '../../functions/src';
import { postgresAnswers } from '../provision/postgres';
import { freePorts } from '../provision/ports';
import { amqpAnswers, ensureRabbit, freeNodePorts, nodePorts } from '../provision/rabbitmq';
import { readServices } from '../start/services';
import { expectedParentMode, modeOf, notOwnedBy, openToOthers, serviceUid, openUp } from '../../test/support/fileModes';
import { holdNpmStartPorts, type HeldPorts } from '../../test/support/heldPorts';
import { embeddedPostgresInChild } from '../../test/support/provisionChild';

const ROOT = path.resolve(__dirname, '..', '..');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * How npm start is launched: its entry file itself, `npm start` without a terminal, or `npm start`
 * in a pseudo-terminal (util-linux `script`), where Ctrl-C is a byte typed and closing the
 * terminal is the end of `script`.
 */
type Launch = 'node' | 'npm' | 'terminal';

/** The tools/start.js process below pid (pid itself when it is that process). */
/** Follows the one-click login URL the banner printed; returns the session cookie it sets. */
async function logInWithPrintedToken(output: string, dashboardPort: number): Promise<string> {
  const token = /\/\?token=([A-Za-z0-9_-]+)/.exec(output)?.[1];
  if (!token) throw new Error(`no one-click login URL in the banner:\n${output}`);
  const reply = await fetch(`http://127.0.0.1:${dashboardPort}/?token=${token}`, { redirect: 'manual' });
  expect(reply.status).toBe(303);
  const cookie = reply.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error('the one-click login set no cookie');
  return cookie;
}

function startJsPid(pid: number): number {
  const found = [pid, ...descendants(pid)].find((p) => commandOf(p).includes('tools/start.js'));
  if (found === undefined) throw new Error(`no tools/start.js process below ${pid}`);
  return found;
}

function startNpmStart(env: Record<string, string>, launch: Launch = 'node'): Started {
  const base = { ...process.env };
  for (const key of [
    'DATABASE_URL',
    'DATABASE_URI',
    'RABBITMQ_URL',
    'RabbitMQConnection',
    'PETZI_WEBHOOK_SECRET',
    'SECRET_KEY',
  ])
    delete base[key];
  const [command, args] =
    launch === 'node'
      ? [process.execPath, [path.join(ROOT, 'tools', 'start.js')]]
      : launch === 'npm'
        ? ['npm', ['start']]
        : ['script', ['-qfec', 'npm start', '/dev/null']];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...base, NO_COLOR: '1', ...env },
    stdio: [launch === 'terminal' ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** A service's folder: 0700, owned by the user it runs as, nothing inside open to anyone else. */
function expectPrivate(folder: string, user: string): void {
  expect(modeOf(folder)).toBe(0o700);
  expect(openToOthers(folder)).toEqual([]);
  expect(notOwnedBy(folder, serviceUid(user))).toEqual([]);
}

const CREDENTIAL_ENTRIES = [
  'adminKey',
  'apiKey',
  'dashboardPassword',
  'postgresPassword',
  'rabbitmqPassword',
  'rabbitmqUser',
];

describe('npm start', () => {
  // The user's own npm start may be running on the defaults (issue: npm test beside npm start):
  // every npm start here takes free ports, and this file runs with all of the defaults taken.
  let npmStartPorts: HeldPorts;
  beforeAll(async () => {
    npmStartPorts = await holdNpmStartPorts();
  });
  afterAll(() => npmStartPorts.release());

  it('runs the whole pipeline with no configuration and leaves nothing behind on SIGINT', async () => {
    const [functions, bridge, dashboard, postgres] = await freePorts(4);
    const ports = { functions, bridge, dashboard, postgres };
    // A clone's folder (as root, the postgres user must pass through it), npm start makes .data.
    const checkout = mkdtempSync(path.join(tmpdir(), 'petzi-start-'));
    chmodSync(checkout, 0o755);
    const dataDir = path.join(checkout, '.data');
    const prefix = uniqueName('start');
    const started = startNpmStart({
      FUNCTIONS_PORT: String(ports.functions),
      BRIDGE_PORT: String(ports.bridge),
      DASHBOARD_PORT: String(ports.dashboard),
      POSTGRES_PORT: String(ports.postgres),
      // Used only if no broker answers on 5672.
      RABBITMQ_PORT: String(await freeNodePorts()),
      PETZI_DATA_DIR: dataDir,
      PETZI_TOPOLOGY_PREFIX: prefix,
    });
    try {
      await waitUntil(
        () => (started.output().includes('PETZI pipeline is running') ? true : undefined),
        120_000,
        'readiness banner',
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n--- npm start output ---\n${started.output()}`);
      });
      expect(started.output()).toContain(`http://localhost:${ports.dashboard}`);
      expect(started.output()).toContain(`embedded, port ${ports.postgres}`);
      // The banner never shows the webhook secret; with the example secret the simulator's default signs right.
      expect(started.output()).toMatch(/Try it: {2}npm run simulate -- http:\/\/localhost:\d+\/webhook --count/);
      expect(started.output()).not.toMatch(/webhook secret/);

      // The dashboard asks who you are: nothing without the session the one-click URL gives.
      const refused = await fetch(`http://127.0.0.1:${ports.dashboard}/api/tickets`, { redirect: 'manual' });
      expect([401, 303]).toContain(refused.status);
      const cookie = await logInWithPrintedToken(started.output(), ports.dashboard);

      const stream = await openSse(`http://127.0.0.1:${ports.dashboard}/events`, { headers: { cookie } });
      expect(stream.status).toBe(200);
      const sink = { write: () => true };
      const code = await simulate(
        [`http://127.0.0.1:${ports.functions}/webhook`, 'secret', '--count', '3', '--seed', '7'],
        { stdout: sink, stderr: sink },
      );
      expect(code).toBe(0);
      const events = await stream.waitFor(3, 15_000);
      expect(events.map((e) => e.event)).toEqual(['ticket', 'ticket', 'ticket']);
      await stream.close();

      const tickets = (await (
        await fetch(`http://127.0.0.1:${ports.dashboard}/api/tickets`, { headers: { cookie } })
      ).json()) as { items: Array<{ number: string }> };
      const numbers = events.map((e) => (JSON.parse(e.data) as { ticket: { number: string } }).ticket.number);
      expect(tickets.items.map((t) => t.number).sort()).toEqual([...numbers].sort());

      // npm start records its services for `npm run ops`, which finds them without DATABASE_URL.
      const services = path.join(dataDir, 'services.json');
      expect(statSync(services).mode & 0o777).toBe(0o600);

      // Who can read what: the data folder is passed through (as root) or closed, the database's
      // folder is its user's alone, the generated secrets are this user's only.
      expect(modeOf(dataDir)).toBe(expectedParentMode());
      expectPrivate(path.join(dataDir, 'postgres'), 'postgres');
      const credentialsFile = path.join(dataDir, 'credentials.json');
      expect(modeOf(credentialsFile)).toBe(0o600);
      const stored = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Record<string, string>;
      expect(Object.keys(stored).sort()).toEqual(CREDENTIAL_ENTRIES);
      const recorded = readServices(dataDir);
      expect(recorded?.databaseUrl).toBe(
        `postgres://postgres:${stored.postgresPassword}@127.0.0.1:${ports.postgres}/petzi`,
      );
      expect(await postgresAnswers(`postgres://postgres:postgres@127.0.0.1:${ports.postgres}/petzi`)).toBe(false);
      const ops = spawnSync(
        process.execPath,
        [path.join(__dirname, '..', '..', 'dist', 'tools', 'ops', 'main.js'), 'deliveries', '--json'],
        {
          env: { PATH: process.env.PATH, PETZI_DATA_DIR: dataDir, PETZI_TOPOLOGY_PREFIX: prefix },
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      expect({ status: ops.status, stderr: ops.stderr }).toEqual({ status: 0, stderr: '' });
      const deliveries = (JSON.parse(ops.stdout) as { items: Array<{ outcome: string; webhookId: number }> }).items;
      expect(deliveries.map((d) => d.outcome)).toEqual(['stored', 'stored', 'stored']);

      const family = descendants(started.child.pid!);
      expect(family.length).toBeGreaterThanOrEqual(4); // functions, bridge, dashboard, postgres
      started.child.kill('SIGINT');
      expect(await started.exited).toBe(0);
      await waitUntil(() => (family.every((pid) => !alive(pid)) ? true : undefined), 15_000, 'every child to exit');
      for (const port of Object.values(ports)) expect(await isListening(port)).toBe(false);
      expect(started.output()).toContain('[start]      stopped');
      expect(existsSync(services)).toBe(false);
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
      rmSync(checkout, { recursive: true, force: true });
      await deleteTopology({ ...topologyNames(prefix) });
    }
  }, 180_000);

  it('upgrades the data folder of an earlier version and starts a private RabbitMQ node when no broker answers; SIGINT stops it', async () => {
    // The node also takes port + 10000 (management), + 20000 (Erlang distribution) and + 30000 (its epmd).
    const port = await freeNodePorts();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'petzi-private-'));
    const [functions, bridge, dashboard, postgres, rabbitLocal] = await freePorts(5);
    const ports = { functions, bridge, dashboard, postgres };

    // What an earlier version left: credentials.json with three entries, a cluster whose
    // superuser has the fixed password postgres, a node with guest/guest, its folders open.
    const earlier = { apiKey: 'k'.repeat(43), adminKey: 'a'.repeat(43), dashboardPassword: 'p'.repeat(43) };
    writeFileSync(path.join(dataDir, 'credentials.json'), JSON.stringify(earlier), { mode: 0o644 });
    chmodSync(dataDir, 0o755);
    const cluster = embeddedPostgresInChild({ dataDir, port: ports.postgres, password: 'postgres' });
    expect((await cluster.first).url).toContain('postgres:postgres@');
    expect(await cluster.stop()).toBe(0);
    const node = await ensureRabbit({
      probe: { urls: [], managementUrl: 'http://127.0.0.1:1' },
      user: { name: 'petzi', password: 'Zq8-an-old-password' },
      dataDir,
      port,
      install: { allowed: false, logDir: dataDir, env: {} },
      env: process.env,
      log: () => undefined,
    });
    try {
      const ctl = (args: string[]) =>
        spawnSync('rabbitmqctl', ['-n', `petzi-${port}@localhost`, ...args], {
          env: { ...process.env, ERL_EPMD_PORT: String(port + 30_000) },
        });
      expect(ctl(['add_user', 'guest', 'guest']).status).toBe(0);
      expect(ctl(['set_permissions', '-p', '/', 'guest', '.*', '.*', '.*']).status).toBe(0);
    } finally {
      await node.stop();
    }
    openUp(path.join(dataDir, 'rabbitmq'));

    const started = startNpmStart({
      RABBITMQ_LOCAL_PORT: String(rabbitLocal),
      RABBITMQ_PORT: String(port),
      POSTGRES_PORT: String(ports.postgres),
      PETZI_DATA_DIR: dataDir,
      FUNCTIONS_PORT: String(ports.functions),
      BRIDGE_PORT: String(ports.bridge),
      DASHBOARD_PORT: String(ports.dashboard),
    });
    try {
      await waitUntil(
        () => (started.output().includes('PETZI pipeline is running') ? true : undefined),
        150_000,
        'readiness banner',
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n--- npm start output ---\n${started.output()}`);
      });
      const credentialsFile = path.join(dataDir, 'credentials.json');
      const output = started.output();
      expect(output).toContain(
        `credentials: added postgresPassword, rabbitmqUser, rabbitmqPassword to ${credentialsFile}`,
      );
      expect(output).toContain(
        "Postgres: the embedded server's superuser had the former fixed password; it now has the generated one",
      );
      expect(output).toContain('RabbitMQ: the private node still had the user guest/guest; deleting it');
      expect(output).toContain(`RabbitMQ: starting a private node petzi-${port}@localhost on port ${port}`);
      expect(output).toContain(
        `RabbitMQ    http://127.0.0.1:${port + 10_000}  (user petzi, password in ${credentialsFile})`,
      );

      // The earlier keys stay; the new passwords are in the file and nowhere in the output.
      const stored = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Record<string, string>;
      expect(stored).toMatchObject({ ...earlier, rabbitmqUser: 'petzi' });
      expect(Object.keys(stored).sort()).toEqual(CREDENTIAL_ENTRIES);
      for (const secret of [stored.postgresPassword, stored.rabbitmqPassword, ...Object.values(earlier)])
        expect(output).not.toContain(secret);
      expect(modeOf(credentialsFile)).toBe(0o600);

      // The host and the bridge got the generated users; the fixed password and guest no longer work.
      const recorded = readServices(dataDir);
      expect(recorded?.databaseUrl).toBe(
        `postgres://postgres:${stored.postgresPassword}@127.0.0.1:${ports.postgres}/petzi`,
      );
      expect(recorded?.rabbitmqUrl).toBe(`amqp://petzi:${stored.rabbitmqPassword}@127.0.0.1:${port}`);
      for (const pid of descendants(started.child.pid!).filter((p) =>
        /dist\/(host|bridge)\/src\//.test(commandOf(p)),
      )) {
        expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain(
          `RABBITMQ_URL=${recorded?.rabbitmqUrl}`,
        );
      }
      expect(await postgresAnswers(`postgres://postgres:postgres@127.0.0.1:${ports.postgres}/petzi`)).toBe(false);
      expect(await amqpAnswers(`amqp://guest:guest@127.0.0.1:${port}`)).toBe(false);
      expect(await amqpAnswers(`amqp://petzi:Zq8-an-old-password@127.0.0.1:${port}`)).toBe(false);

      const stream = await openSse(`http://127.0.0.1:${ports.bridge}/events`, {
        headers: { 'x-functions-key': earlier.apiKey },
      });
      const sink = { write: () => true };
      expect(
        await simulate([`http://127.0.0.1:${ports.functions}/webhook`, 'secret', '--count', '3', '--seed', '11'], {
          stdout: sink,
          stderr: sink,
        }),
      ).toBe(0);
      expect((await stream.waitFor(3, 15_000)).map((e) => e.event)).toEqual(['ticket', 'ticket', 'ticket']);
      await stream.close();

      // Buyers' names went through the node: its folder and the database's are closed again.
      expect(modeOf(dataDir)).toBe(expectedParentMode());
      expectPrivate(path.join(dataDir, 'postgres'), 'postgres');
      expectPrivate(path.join(dataDir, 'rabbitmq'), 'rabbitmq');

      const family = descendants(started.child.pid!);
      started.child.kill('SIGINT');
      expect(await started.exited).toBe(0);
      await waitUntil(
        () => (family.every((pid) => !alive(pid)) ? true : undefined),
        15_000,
        'every child, the node included, to exit',
      );
      for (const taken of [...nodePorts(port), ...Object.values(ports)]) expect(await isListening(taken)).toBe(false);
      // What the node wrote until it stopped is closed too.
      expectPrivate(path.join(dataDir, 'rabbitmq'), 'rabbitmq');
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);

  it('says how to get a broker when none can be found', async () => {
    const db = await createTestDatabase();
    const [rabbitLocal, functions, bridge, dashboard] = await freePorts(4);
    try {
      const started = startNpmStart({
        DATABASE_URL: db.url,
        RABBITMQ_LOCAL_PORT: String(rabbitLocal),
        RABBITMQ_PORT: String(await freeNodePorts()),
        RABBITMQ_SERVER_BIN: '/nonexistent/rabbitmq-server',
        // Neither a container (this machine's engine may hold a rabbitmq image) nor an install.
        DOCKER_HOST: 'unix:///nonexistent/docker.sock',
        PETZI_NO_INSTALL: '1',
        FUNCTIONS_PORT: String(functions),
        BRIDGE_PORT: String(bridge),
        DASHBOARD_PORT: String(dashboard),
      });
      expect(await started.exited).toBe(1);
      const output = started.output();
      expect(output).toContain('No RabbitMQ broker found');
      expect(output).toContain('apt-get install rabbitmq-server');
      expect(output).toContain('docker run');
      expect(output).toContain('RABBITMQ_URL=');
    } finally {
      await db.drop();
    }
  }, 120_000);

  it('names the variable that moves a port already taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', () => resolve()));
    const taken = (blocker.address() as net.AddressInfo).port;
    const [functions, dashboard] = await freePorts(2);
    try {
      const started = startNpmStart({
        BRIDGE_PORT: String(taken),
        FUNCTIONS_PORT: String(functions),
        DASHBOARD_PORT: String(dashboard),
      });
      expect(await started.exited).toBe(1);
      expect(started.output()).toContain(
        `Port ${taken} (SSE bridge) is already in use: set BRIDGE_PORT to another port.`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 60_000);

  it("finds every default port taken while this file runs, as beside the user's own npm start, and names the variable that moves each", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'petzi-defaults-'));
    const db = await createTestDatabase();
    try {
      const free = async (count: number) => (await freePorts(count)).map(String);
      const servers = async () => {
        const [functions, bridge, dashboard] = await free(3);
        return { FUNCTIONS_PORT: functions, BRIDGE_PORT: bridge, DASHBOARD_PORT: dashboard };
      };
      const refusals: Array<[() => Promise<Record<string, string>>, string]> = [
        [async () => ({}), 'Port 5000 (functions host) is already in use: set FUNCTIONS_PORT to another port.'],
        [
          async () => ({ FUNCTIONS_PORT: (await free(1))[0] }),
          'Port 5001 (SSE bridge) is already in use: set BRIDGE_PORT to another port.',
        ],
        [
          async () => ({ ...(await servers()), DASHBOARD_PORT: '8080' }),
          'Port 8080 (dashboard) is already in use: set DASHBOARD_PORT to another port.',
        ],
        [servers, 'Port 54320 (embedded Postgres) is already in use: set POSTGRES_PORT to another port.'],
        // Nothing answers at RABBITMQ_LOCAL_PORT: npm start would start a private node on 5673.
        [
          async () => ({ ...(await servers()), DATABASE_URL: db.url, RABBITMQ_LOCAL_PORT: (await free(1))[0] }),
          'Port 5673 (private RabbitMQ node) is already in use: set RABBITMQ_PORT to another port.',
        ],
      ];
      for (const [env, said] of refusals) {
        const started = startNpmStart({ ...(await env()), PETZI_DATA_DIR: dataDir });
        expect(await started.exited).toBe(1);
        expect(started.output()).toContain(said);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await db.drop();
    }
  }, 120_000);

  it('--help lists every variable a user may need', () => {
    const help = spawnSync('npm', ['start', '--', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const variable of [
      'PETZI_WEBHOOK_SECRET',
      'SIGNATURE_TOLERANCE_SECONDS',
      'DATABASE_URL',
      'RABBITMQ_URL',
      'PETZI_TOPOLOGY_PREFIX',
      'MAX_BODY_BYTES',
      'OUTBOX_GRACE_SECONDS',
      'HOST',
      'FUNCTIONS_PORT',
      'BRIDGE_PORT',
      'DASHBOARD_PORT',
      'POSTGRES_PORT',
      'RABBITMQ_PORT',
      'PETZI_DATA_DIR',
      'PETZI_NO_INSTALL',
      '--no-install',
    ]) {
      expect(help.stdout).toContain(variable);
    }
  }, 60_000);

  describe('stops every child and every service it started', () => {
    // One data folder for every case: the embedded cluster is initialised once.
    let dataDir: string;
    beforeAll(() => {
      // mkdtemp makes it 0700: npm start must open it for the service users itself (as root).
      dataDir = mkdtempSync(path.join(tmpdir(), 'petzi-signals-'));
    });
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    type Stop = { launch: Launch; send(started: Started): void };
    const bySignal = (launch: Launch, signal: NodeJS.Signals, to: 'npm' | 'tools/start.js'): Stop => ({
      launch,
      send: (started) => {
        const target = to === 'npm' ? started.child.pid! : startJsPid(started.child.pid!);
        process.kill(target, signal);
      },
    });
    const cases: Array<[string, Stop]> = [
      ['Ctrl-C in a terminal', { launch: 'terminal', send: (started) => started.child.stdin!.write('\u0003') }],
      ['the terminal closing (SIGHUP)', { launch: 'terminal', send: (started) => started.child.kill('SIGKILL') }],
      ["SIGINT to npm's process", bySignal('npm', 'SIGINT', 'npm')],
      ["SIGTERM to npm's process", bySignal('npm', 'SIGTERM', 'npm')],
      ["SIGHUP to npm's process", bySignal('npm', 'SIGHUP', 'npm')],
      ['SIGINT to tools/start.js', bySignal('node', 'SIGINT', 'tools/start.js')],
      ['SIGTERM to tools/start.js', bySignal('node', 'SIGTERM', 'tools/start.js')],
    ];

    it.each(cases)(
      '%s',
      async (_name, stop) => {
        const rabbitPort = await freeNodePorts();
        const [functions, bridge, dashboard, postgres, rabbitLocal] = await freePorts(5);
        const ports = { functions, bridge, dashboard, postgres };
        const prefix = uniqueName('signals');
        const started = startNpmStart(
          {
            FUNCTIONS_PORT: String(ports.functions),
            BRIDGE_PORT: String(ports.bridge),
            DASHBOARD_PORT: String(ports.dashboard),
            POSTGRES_PORT: String(ports.postgres),
            // Nothing answers there: npm start runs a private node of this machine's rabbitmq-server.
            RABBITMQ_LOCAL_PORT: String(rabbitLocal),
            RABBITMQ_PORT: String(rabbitPort),
            PETZI_DATA_DIR: dataDir,
            PETZI_TOPOLOGY_PREFIX: prefix,
          },
          stop.launch,
        );
        try {
          await waitUntil(
            () => (started.output().includes('PETZI pipeline is running') ? true : undefined),
            150_000,
            'readiness banner',
          ).catch((error: unknown) => {
            throw new Error(`${String(error)}\n--- npm start output ---\n${started.output()}`);
          });
          const family = descendants(started.child.pid!);
          const names = family.map(commandOf);
          expect(names.some((n) => n.includes('postgres'))).toBe(true);
          expect(names.some((n) => n.includes('beam'))).toBe(true);
          expect(names.filter((n) => /dist\/(host|bridge|dashboard\/server)\/src\//.test(n))).toHaveLength(3);
          // A node and a cluster of its own, each folder its service user's alone; no guest on the node.
          expect(modeOf(dataDir)).toBe(expectedParentMode());
          expectPrivate(path.join(dataDir, 'postgres'), 'postgres');
          expectPrivate(path.join(dataDir, 'rabbitmq'), 'rabbitmq');
          expect(await amqpAnswers(`amqp://guest:guest@127.0.0.1:${rabbitPort}`)).toBe(false);

          stop.send(started);
          await started.exited;
          await waitUntil(
            () => (family.every((pid) => !alive(pid)) ? true : undefined),
            60_000,
            'every process npm start started to exit',
          ).catch((error: unknown) => {
            const left = family.filter(alive).map((pid) => `${pid} ${commandOf(pid)}`);
            throw new Error(`${String(error)}: ${left.join(', ')}\n--- npm start output ---\n${started.output()}`);
          });
          for (const port of [...Object.values(ports), ...nodePorts(rabbitPort)])
            expect(await isListening(port)).toBe(false);
          // The terminal that closed cannot show the last words; every other way shows a clean stop.
          if (_name !== 'the terminal closing (SIGHUP)') expect(started.output()).toContain('[start]      stopped');
        } finally {
          if (started.child.exitCode === null) started.child.kill('SIGKILL');
          await deleteTopology({ ...topologyNames(prefix) });
        }
      },
      240_000,
    );
  });
});
