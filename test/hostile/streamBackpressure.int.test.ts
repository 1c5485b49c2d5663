import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Registry } from 'prom-client';
import { startDashboardServer, type RunningDashboardServer } from '../../dashboard/server/src/server';
import { metricValue, startBridgeFixture, type BridgeFixture } from '../../bridge/test/relayStandIn';
import { openSse } from '../support/sse';
import { waitUntil } from '../support/wait';

/**
 * The dashboard server's /events hop keeps the bridge's slow-client rule: clients that stop
 * reading are cut off once DASHBOARD_CLIENT_BUFFER_BYTES are waiting for them, and counted, and
 * their upstream streams end on the bridge; a client that reads gets every event. Before, the
 * dashboard server buffered everything for them (memory figures: docs/hostile.md, Seams).
 */
const BUFFER_BYTES = 64 * 1024;
const STALLED = 5;

let fx: BridgeFixture;
let dashboard: RunningDashboardServer;
let dist: string;

beforeAll(async () => {
  fx = await startBridgeFixture();
  dist = await mkdtemp(path.join(os.tmpdir(), 'dashboard-dist-'));
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>app</title>');
  dashboard = await startDashboardServer({
    port: 0,
    distDir: dist,
    functionsUrl: 'http://127.0.0.1:1',
    bridgeUrl: fx.bridge.url,
    clientBufferBytes: BUFFER_BYTES,
  });
});

afterAll(async () => {
  await dashboard?.stop();
  await fx?.close();
  if (dist) await rm(dist, { recursive: true, force: true });
});

async function sample(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
}

interface StalledClient {
  /** Starts reading at last: resolves once what was sent is read and the server's close follows it. */
  closedByServer(): Promise<void>;
  destroy(): void;
}

/** Asks for the stream on a raw socket, then reads nothing (a paused socket does not even see a close) until told. */
function stalledClient(port: number): Promise<StalledClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
      socket.pause();
      resolve({
        closedByServer: () => {
          const closed = new Promise<void>((done) => socket.once('close', () => done()));
          socket.on('data', () => undefined);
          socket.resume();
          return closed;
        },
        destroy: () => socket.destroy(),
      });
    });
    socket.once('error', reject);
    socket.on('error', () => undefined);
  });
}

test('clients that stop reading are dropped and counted while a reading client gets every event', async () => {
  const stalled = await Promise.all(Array.from({ length: STALLED }, () => stalledClient(dashboard.port)));
  const reader = await openSse(`${dashboard.url}/events`);
  await waitUntil(
    async () => ((await metricValue(fx.bridge.url, 'sse_clients_connected')) === STALLED + 1 ? true : undefined),
    10_000,
    'every stream on the bridge',
  );
  expect(await sample(dashboard.registry, 'dashboard_sse_streams_open')).toBe(STALLED + 1);

  // Far more than the loopback socket buffers of a stalled client hold, so each must pass its bound.
  const padding = 'x'.repeat(48 * 1024);
  const sent: number[] = [];
  for (let i = 0; i < 150; i += 1) sent.push((await fx.relay.relay({ padding })).id);
  await reader.waitFor(sent.length, 30_000);
  expect(reader.events.map((e) => Number(e.id))).toEqual(sent);

  await waitUntil(
    async () =>
      (await sample(dashboard.registry, 'dashboard_sse_clients_dropped_total')) === STALLED ? true : undefined,
    10_000,
    'every stalled client counted',
  );
  // Each one finds its stream closed by the server behind what it had not read.
  await Promise.all(stalled.map((s) => s.closedByServer()));
  // Their upstream streams ended too: the bridge serves the reader alone, and never dropped it.
  await waitUntil(
    async () => ((await metricValue(fx.bridge.url, 'sse_clients_connected')) === 1 ? true : undefined),
    10_000,
    'the upstream streams to end',
  );
  expect(await metricValue(fx.bridge.url, 'sse_clients_dropped_total', '{reason="slow"}')).toBe(0);
  expect(await sample(dashboard.registry, 'dashboard_sse_streams_open')).toBe(1);

  for (const s of stalled) s.destroy();
  await reader.close();
});
