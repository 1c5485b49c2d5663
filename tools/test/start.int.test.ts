import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
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
import { freePorts } from '../provision/ports';
import { freeNodePorts, nodePorts } from '../provision/rabbitmq';
import { ensureCredentials } from '../start/credentials';

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
  for (const key of ['DATABASE_URL', 'DATABASE_URI', 'RABBITMQ_URL', 'RabbitMQConnection', 'PETZI_WEBHOOK_SECRET', 'SECRET_KEY']) delete base[key];
  const [command, args] =
    launch === 'node' ? [process.execPath, [path.join(ROOT, 'tools', 'start.js')]] : launch === 'npm' ? ['npm', ['start']] : ['script', ['-qfec', 'npm start', '/dev/null']];
  const child = spawn(command, args, { cwd: ROOT, env: { ...base, NO_COLOR: '1', ...env }, stdio: [launch === 'terminal' ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('npm start', () => {
  it('runs the whole pipeline with no configuration and leaves nothing behind on SIGINT', async () => {
    const [functions, bridge, dashboard, postgres] = await freePorts(4);
    const ports = { functions, bridge, dashboard, postgres };
    const dataDir = mkdtempSync(path.join(tmpdir(), 'petzi-start-'));
    const prefix = uniqueName('start');
    const started = startNpmStart({
      FUNCTIONS_PORT: String(ports.functions),
      BRIDGE_PORT: String(ports.bridge),
      DASHBOARD_PORT: String(ports.dashboard),
      POSTGRES_PORT: String(ports.postgres),
      PETZI_DATA_DIR: dataDir,
      PETZI_TOPOLOGY_PREFIX: prefix,
    });
    try {
      await waitUntil(() => (started.output().includes('PETZI pipeline is running') ? true : undefined), 120_000, 'readiness banner').catch((error: unknown) => {
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
      const code = await simulate([`http://127.0.0.1:${ports.functions}/webhook`, 'secret', '--count', '3', '--seed', '7'], { stdout: sink, stderr: sink });
      expect(code).toBe(0);
      const events = await stream.waitFor(3, 15_000);
      expect(events.map((e) => e.event)).toEqual(['ticket', 'ticket', 'ticket']);
      await stream.close();

      const tickets = (await (await fetch(`http://127.0.0.1:${ports.dashboard}/api/tickets`, { headers: { cookie } })).json()) as { items: Array<{ number: string }> };
      const numbers = events.map((e) => (JSON.parse(e.data) as { ticket: { number: string } }).ticket.number);
      expect(tickets.items.map((t) => t.number).sort()).toEqual([...numbers].sort());

      // npm start records its services for `npm run ops`, which finds them without DATABASE_URL.
      const services = path.join(dataDir, 'services.json');
      expect(statSync(services).mode & 0o777).toBe(0o600);
      const ops = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'dist', 'tools', 'ops', 'main.js'), 'deliveries', '--json'], {
        env: { PATH: process.env.PATH, PETZI_DATA_DIR: dataDir, PETZI_TOPOLOGY_PREFIX: prefix },
        encoding: 'utf8',
        timeout: 60_000,
      });
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
      rmSync(dataDir, { recursive: true, force: true });
      await deleteTopology({ ...topologyNames(prefix) });
    }
  }, 180_000);

  it('starts a private RabbitMQ node when no broker answers, and stops it on SIGINT', async () => {
    // The node also takes port + 10000 (management), + 20000 (Erlang distribution) and + 30000 (its epmd).
    const port = await freeNodePorts();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'petzi-private-'));
    // As root, the node runs as the rabbitmq user: it must be able to reach its folder.
    chmodSync(dataDir, 0o755);
    const db = await createTestDatabase();
    const [functions, bridge, dashboard, rabbitLocal] = await freePorts(4);
    const ports = { functions, bridge, dashboard };
    const started = startNpmStart({
      DATABASE_URL: db.url,
      RABBITMQ_LOCAL_PORT: String(rabbitLocal),
      RABBITMQ_PORT: String(port),
      PETZI_DATA_DIR: dataDir,
      FUNCTIONS_PORT: String(ports.functions),
      BRIDGE_PORT: String(ports.bridge),
      DASHBOARD_PORT: String(ports.dashboard),
    });
    try {
      await waitUntil(() => (started.output().includes('PETZI pipeline is running') ? true : undefined), 120_000, 'readiness banner').catch((error: unknown) => {
        throw new Error(`${String(error)}\n--- npm start output ---\n${started.output()}`);
      });
      expect(started.output()).toContain(`RabbitMQ: starting a private node petzi-${port}@localhost on port ${port}`);
      expect(started.output()).toContain(`RabbitMQ    http://127.0.0.1:${port + 10_000}`);

      const { apiKey } = ensureCredentials(dataDir, {});
      const stream = await openSse(`http://127.0.0.1:${ports.bridge}/events`, { headers: { 'x-functions-key': apiKey } });
      const sink = { write: () => true };
      expect(await simulate([`http://127.0.0.1:${ports.functions}/webhook`, 'secret', '--count', '3', '--seed', '11'], { stdout: sink, stderr: sink })).toBe(0);
      expect((await stream.waitFor(3, 15_000)).map((e) => e.event)).toEqual(['ticket', 'ticket', 'ticket']);
      await stream.close();

      const family = descendants(started.child.pid!);
      started.child.kill('SIGINT');
      expect(await started.exited).toBe(0);
      await waitUntil(() => (family.every((pid) => !alive(pid)) ? true : undefined), 15_000, 'every child, the node included, to exit');
      for (const taken of [...nodePorts(port), ...Object.values(ports)]) expect(await isListening(taken)).toBe(false);
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      await db.drop();
    }
  }, 180_000);

  it('says how to get a broker when none can be found', async () => {
    const db = await createTestDatabase();
    const [rabbitLocal, functions, bridge, dashboard] = await freePorts(4);
    try {
      const started = startNpmStart({
        DATABASE_URL: db.url,
        RABBITMQ_LOCAL_PORT: String(rabbitLocal),
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
      const started = startNpmStart({ BRIDGE_PORT: String(taken), FUNCTIONS_PORT: String(functions), DASHBOARD_PORT: String(dashboard) });
      expect(await started.exited).toBe(1);
      expect(started.output()).toContain(`Port ${taken} (SSE bridge) is already in use: set BRIDGE_PORT to another port.`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 60_000);

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
      dataDir = mkdtempSync(path.join(tmpdir(), 'petzi-signals-'));
      chmodSync(dataDir, 0o755);
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
          await waitUntil(() => (started.output().includes('PETZI pipeline is running') ? true : undefined), 150_000, 'readiness banner').catch((error: unknown) => {
            throw new Error(`${String(error)}\n--- npm start output ---\n${started.output()}`);
          });
          const family = descendants(started.child.pid!);
          const names = family.map(commandOf);
          expect(names.some((n) => n.includes('postgres'))).toBe(true);
          expect(names.some((n) => n.includes('beam'))).toBe(true);
          expect(names.filter((n) => /dist\/(host|bridge|dashboard\/server)\/src\//.test(n))).toHaveLength(3);

          stop.send(started);
          await started.exited;
          await waitUntil(() => (family.every((pid) => !alive(pid)) ? true : undefined), 60_000, 'every process npm start started to exit').catch((error: unknown) => {
            const left = family.filter(alive).map((pid) => `${pid} ${commandOf(pid)}`);
            throw new Error(`${String(error)}: ${left.join(', ')}\n--- npm start output ---\n${started.output()}`);
          });
          for (const port of [...Object.values(ports), ...nodePorts(rabbitPort)]) expect(await isListening(port)).toBe(false);
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
