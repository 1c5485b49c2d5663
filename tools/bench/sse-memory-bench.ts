import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT, median, progress, startChild, type Child } from './support';

const HELP = `Usage: npm run bench:sse-memory [-- --clients 10,100] [--mib 16] [--root DIR] [--label after]

The dashboard server's memory with SSE clients that never read. The dashboard server runs as a
child process (DIR/dist/dashboard/server/src/main.js; DIR defaults to this checkout, so a build of
older code can be measured as "before"), open on loopback, its BRIDGE_URL pointing at a stand-in
bridge in this process that writes ticket frames to every stream it serves, --mib MiB per stream
(as fast as the dashboard server reads them). For each count of --clients, a fresh child: that
many raw sockets GET /events and never read a byte. Then the child's RSS (VmRSS from /proc, the
median of 5 samples) before the clients connect and after every stream was fed or dropped, and how
many clients the dashboard server cut off. Writes bench-results/sse-memory.json (the run is kept
under its --label, so "before" and "after" sit side by side) and prints the figures.`;

interface Args {
  clients: number[];
  mib: number;
  root: string;
  label: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { clients: [10, 100], mib: 16, root: ROOT, label: 'after' };
  for (let i = 0; i < argv.length; i += 1) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--clients':
        args.clients = (value ?? '').split(',').map(Number);
        if (args.clients.some((n) => !Number.isInteger(n) || n < 1))
          throw new Error('--clients must be a comma-separated list of positive integers');
        i += 1;
        break;
      case '--mib':
        args.mib = Number(value);
        if (!Number.isInteger(args.mib) || args.mib < 1) throw new Error('--mib must be a positive integer');
        i += 1;
        break;
      case '--root':
        args.root = path.resolve(value ?? '');
        i += 1;
        break;
      case '--label':
        if (!value) throw new Error('--label needs a name');
        args.label = value;
        i += 1;
        break;
      default:
        throw new Error(`unknown argument ${argv[i]} (see --help)`);
    }
  }
  return args;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A ticket frame the size the bridge writes (one event of a PETZI ticket, about 600 bytes). */
function frames(firstId: number, count: number): Buffer {
  const parts: string[] = [];
  for (let id = firstId; id < firstId + count; id += 1) {
    const data = JSON.stringify({
      id,
      seq: id,
      event: 'ticket_created',
      ticket: { number: `B${id}`, title: 'Jazz Night', category: 'Prévente', price: '25.00' },
      pad: 'x'.repeat(420),
    });
    parts.push(`id: ${id}\nevent: ticket\ndata: ${data}\n\n`);
  }
  return Buffer.from(parts.join(''));
}

/**
 * The stand-in bridge: every GET /events gets an event stream fed `bytesPerStream` bytes, in writes
 * of about 64 KiB, each after the previous one drained (so this process buffers little itself).
 */
function startFeeder(
  bytesPerStream: number,
): Promise<{ url: string; open: () => number; finished: () => number; close: () => Promise<void> }> {
  const batch = frames(1, 100);
  let open = 0;
  let finished = 0;
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
    open += 1;
    let sent = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      open -= 1;
      finished += 1;
    };
    res.on('close', finish);
    const feed = () => {
      while (!done && sent < bytesPerStream) {
        sent += batch.length;
        if (!res.write(batch)) {
          res.once('drain', feed);
          return;
        }
      }
      if (sent >= bytesPerStream) finish();
    };
    // The first bytes after a short pause, so every client is connected before any is fed.
    setTimeout(feed, 200);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        open: () => open,
        finished: () => finished,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      }),
    ),
  );
}

interface NonReadingClient {
  /**
   * Starts reading at last (a paused socket does not even see a close): true once the server's close arrives within
   * `ms`.
   */
  closedByServer(ms: number): Promise<boolean>;
  destroy(): void;
}

/** A client that asks for the stream and then never reads: its socket is paused from the start. */
function nonReadingClient(port: number): Promise<NonReadingClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
      socket.pause();
      resolve({
        closedByServer: (ms) =>
          new Promise<boolean>((done) => {
            const timer = setTimeout(() => done(false), ms);
            socket.once('close', () => {
              clearTimeout(timer);
              done(true);
            });
            socket.on('data', () => undefined);
            socket.resume();
          }),
        destroy: () => socket.destroy(),
      });
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

async function rssMedianMiB(child: Child): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    samples.push(child.rssKb() / 1024);
    await sleep(200);
  }
  return Math.round(median(samples) * 10) / 10;
}

interface Run {
  clients: number;
  mibPerStream: number;
  rssIdleMiB: number;
  rssAfterMiB: number;
  clientsCutOff: number;
  streamsFedWhole: number;
  seconds: number;
}

async function measure(script: string, dist: string, clients: number, mib: number): Promise<Run> {
  const bytesPerStream = mib * 1024 * 1024;
  const feeder = await startFeeder(bytesPerStream);
  const child = await startChild(script, {
    HOST: '127.0.0.1',
    PORT: '0',
    BRIDGE_URL: feeder.url,
    FUNCTIONS_URL: 'http://127.0.0.1:1',
    DASHBOARD_DIST: dist,
    NODE_ENV: '',
  });
  const sockets: NonReadingClient[] = [];
  try {
    const port = Number(new URL(child.url).port);
    await sleep(500);
    const rssIdleMiB = await rssMedianMiB(child);
    const started = Date.now();
    for (let i = 0; i < clients; i += 1) sockets.push(await nonReadingClient(port));
    // Until every stream has been fed whole or was closed (its client cut off), or a minute passed.
    const deadline = Date.now() + 60_000;
    while (feeder.finished() < clients && Date.now() < deadline) {
      progress(`${clients} clients`, feeder.finished(), clients);
      await sleep(250);
    }
    progress(`${clients} clients`, clients, clients);
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    // Let the child settle (a dropped stream's buffers are freed on its next GC) before sampling.
    await sleep(2000);
    const rssAfterMiB = await rssMedianMiB(child);
    const clientsCutOff = (await Promise.all(sockets.map((s) => s.closedByServer(5000)))).filter(Boolean).length;
    return {
      clients,
      mibPerStream: mib,
      rssIdleMiB,
      rssAfterMiB,
      clientsCutOff,
      streamsFedWhole: clients - clientsCutOff,
      seconds,
    };
  } finally {
    for (const s of sockets) s.destroy();
    await child.stop();
    await feeder.close();
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(HELP);
    return;
  }
  const args = parseArgs(process.argv.slice(2));
  const script = path.join(args.root, 'dist', 'dashboard', 'server', 'src', 'main.js');
  if (!existsSync(script))
    throw new Error(`${script} is missing: build that checkout first (npx tsc -p tsconfig.json in ${args.root})`);
  const dist = mkdtempSync(path.join(os.tmpdir(), 'sse-memory-dist-'));
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>app</title>');
  const runs: Run[] = [];
  try {
    for (const clients of args.clients) {
      const run = await measure(script, dist, clients, args.mib);
      runs.push(run);
      console.log(
        `${args.label}: ${clients} non-reading clients, ${args.mib} MiB offered each: RSS ${run.rssIdleMiB} -> ${run.rssAfterMiB} MiB; ` +
          `${run.clientsCutOff} cut off, ${run.streamsFedWhole} fed whole (${run.seconds} s)`,
      );
    }
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
  const file = path.join(ROOT, 'bench-results', 'sse-memory.json');
  mkdirSync(path.dirname(file), { recursive: true });
  const previous = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { runs?: Record<string, unknown> })
    : {};
  const entry = {
    at: new Date().toISOString(),
    root: path.relative(ROOT, args.root) || '.',
    node: process.version,
    cpus: os.cpus().length,
    runs,
  };
  writeFileSync(file, `${JSON.stringify({ runs: { ...(previous.runs ?? {}), [args.label]: entry } }, null, 2)}\n`);
  console.log(`written to ${path.relative(ROOT, file)} under "${args.label}"`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
