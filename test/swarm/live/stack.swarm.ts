import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { steadyLoad, type Reply } from '../../../tools/faults/load';
import { ReconnectingSseClient } from '../../../tools/harness/sseClient';
import { repoRoot } from '../../../tools/images/build';
import { dockerEnv, runOk } from '../../../tools/images/docker';
import { nodeService, queueStatus, relayQueueReady } from '../../../tools/swarm/rabbit';
import { deploySwarmStack, gatewayServing, poll, serviceLogs, type SwarmStack } from '../../../tools/swarm/stack';
import { Ledger } from './ledger';

/**
 * `npm run test:swarm`: infra/swarm/stack.yml on a single-node swarm of this machine's engine,
 * under a steady signed load of about 100 webhooks a second through the gateway (the project's
 * load generator, tools/faults/load.ts) with SSE clients connected through the gateway, through
 * five faults one after the other:
 *   1. a rolling update of the functions service to a new image tag;
 *   2. a rolling update of the relay service;
 *   3. docker kill of the RabbitMQ node that leads petzi.relay, then its return;
 *   4. docker kill of one relay replica while it holds unacknowledged messages;
 *   5. a bridge replica removed and added;
 * then the functions service at no replica, where the gateway answers 503 with Retry-After.
 * After each: every webhook answered 200 is one row, one projection and one live event and
 * reached every SSE client (resuming with Last-Event-ID where its bridge went away), nothing was
 * shown twice, and the only refusal is a 503 with Retry-After. Timings go to bench-results/swarm.json.
 */
const RATE = 100;
const BRIDGES = 2;
/** Clients opened at most while waiting for the gateway to have put one on every bridge. */
const MAX_CLIENTS = 8;
/** From the end of a step, how long the pipeline is given to deliver everything acknowledged. */
const CATCH_UP_MS = 150_000;
/** How long one fault (with the return of what it took away) may take. */
const STEP_MS = 240_000;

interface StepRecord {
  step: string;
  /** From the first command of the fault until the stack had converged again. */
  faultSeconds: number;
  /** From then until every webhook acknowledged so far had gone all the way. */
  catchUpSeconds: number;
  /**
   * Requests of the step's window, from the end of the previous step (its catch-up included) to the end of this one's.
   */
  sent: number;
  ok: number;
  refused: Record<string, number>;
  /** The window's 200s, from send to the whole reply. */
  replyMs: { p50: number | null; p99: number | null; max: number | null };
  /** SSE clients that reconnected (with Last-Event-ID) during the step. */
  clientReconnects: number;
  /**
   * Requests of the window with no 200 (refused or unanswered), and how many of them were stored anyway (then all the
   * way through).
   */
  notAcknowledged: number;
  notAcknowledgedButStored: number;
  detail: Record<string, unknown>;
}

let stack: SwarmStack | undefined;
let downDone = false;
const clients: ReconnectingSseClient[] = [];
let ledger: Ledger | undefined;
const stopLoad = new AbortController();
let load: Promise<Reply[]> | undefined;
const steps: StepRecord[] = [];
/** Where the next step's window starts: the end of the previous step's catch-up. */
let windowStart = 0;
const timings: Record<string, number> = {};
const runStarted = Date.now();

function live(): SwarmStack {
  if (!stack) throw new Error('the stack did not start (see beforeAll)');
  return stack;
}

function books(): Ledger {
  if (!ledger) throw new Error('the load did not start');
  return ledger;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => Math.round(ms / 100) / 10;

async function docker(args: string[]): Promise<string> {
  return runOk('docker', args, { env: dockerEnv(), cwd: repoRoot() });
}

/** Clients each bridge replica counts, from its own /metrics (docker exec; no scrape lag). */
async function clientsPerBridge(): Promise<number[]> {
  const probe = "fetch('http://127.0.0.1:5001/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))";
  return Promise.all(
    (await live().containers('sse-bridge')).map(async (id) => {
      const metrics = await live().exec(id, ['node', '-e', probe]);
      const line = /^sse_clients_connected(?:\{[^}]*\})? (\d+)$/m.exec(metrics);
      if (!line) throw new Error(`bridge ${id} exposes no sse_clients_connected`);
      return Number(line[1]);
    }),
  );
}

function openClient(): ReconnectingSseClient {
  const client = new ReconnectingSseClient(`${live().url('PETZI_BRIDGE_PORT')}/events`, {
    'x-functions-key': live().secrets.petzi_api_key,
  }).start();
  clients.push(client);
  return client;
}

/** A new image under a new tag: the same files plus a label, so the update really swaps images. */
async function newImageTag(service: 'functions', tag: string): Promise<string> {
  const image = live().image(service, tag);
  const dir = mkdtempSync(path.join(tmpdir(), 'petzi-rollout-'));
  try {
    writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${live().image(service)}\nLABEL io.petzi.rollout="${tag}"\n`);
    await docker(['build', '-q', '-t', image, dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return image;
}

/** docker service update --image, then waits until swarm says the rolling update completed (not rolled back). */
async function rollingUpdate(service: string, image: string): Promise<Record<string, unknown>> {
  const name = live().service(service);
  await docker(['service', 'update', '--detach', '--image', image, name]);
  const state = await poll(`the rolling update of ${service}`, STEP_MS, async () => {
    const s = (
      await docker(['service', 'inspect', '--format', '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}', name])
    ).trim();
    return s === 'completed' || s.startsWith('rollback') || s === 'paused' ? s : undefined;
  });
  expect({ service, state }).toEqual({ service, state: 'completed' });
  await live().converged(STEP_MS);
  const running = await live().containers(service);
  const images = await Promise.all(
    running.map(async (id) => (await docker(['inspect', '--format', '{{.Config.Image}}', id])).trim()),
  );
  expect(images.every((i) => i.split('@')[0] === image)).toBe(true);
  return { image, replicas: running.length };
}

/**
 * One fault under the load: runs it, waits for the stack to converge, then for every webhook
 * acknowledged until then to go all the way; records the timings and checks the refusals.
 */
async function step(name: string, fault: () => Promise<Record<string, unknown>>): Promise<StepRecord> {
  const reconnectsBefore = clients.reduce((n, c) => n + c.reconnects, 0);
  const started = Date.now();
  process.stderr.write(`[swarm] step ${name}…\n`);
  let detail: Record<string, unknown>;
  try {
    detail = await fault();
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- service logs ---\n${await serviceLogs(live())}`);
  }
  const faultEnded = Date.now();
  await books().settled(faultEnded);
  const caught = await books().caughtUp(faultEnded, CATCH_UP_MS);
  const windowEnd = Date.now();
  const record: StepRecord = {
    step: name,
    faultSeconds: seconds(faultEnded - started),
    catchUpSeconds: seconds(caught.ms),
    ...books().counts(windowStart, windowEnd),
    refused: books().refusals(windowStart, windowEnd),
    replyMs: books().replyMs(windowStart, windowEnd),
    clientReconnects: clients.reduce((n, c) => n + c.reconnects, 0) - reconnectsBefore,
    notAcknowledged: books().counts(windowStart, windowEnd).sent - books().counts(windowStart, windowEnd).ok,
    notAcknowledgedButStored: 0,
    detail,
  };
  // The window's unanswered requests that were stored: counted over the whole run up to now, less the previous
  // windows'.
  record.notAcknowledgedButStored = caught.unansweredStored - steps.reduce((n, s) => n + s.notAcknowledgedButStored, 0);
  windowStart = windowEnd;
  steps.push(record);
  process.stderr.write(`[swarm] ${JSON.stringify(record)}\n`);
  return record;
}

/** Every refusal so far is a 503 with Retry-After (no replica ready); no 5xx else, no unanswered request. */
function expectOnlyDocumentedRefusals(): void {
  const refused = books().refusals();
  for (const [key, count] of Object.entries(refused))
    expect({ refusal: key, count }).toEqual({ refusal: expect.stringMatching(/^503 retry-after=\d+$/), count });
}

function expectNoRepeats(): void {
  expect(books().duplicatesShown()).toEqual(clients.map(() => 0));
}

function writeResults(): void {
  const dir = path.join(repoRoot(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const replies = ledger?.replies ?? [];
  const result = {
    at: new Date().toISOString(),
    command: 'npm run test:swarm',
    machine: { cores: cpus().length, loadAverage1m: Math.round(loadavg()[0] * 10) / 10 },
    rate: RATE,
    sent: replies.length,
    ok: replies.filter((r) => r.status === 200).length,
    refused: ledger?.refusals() ?? {},
    replyMs: ledger?.replyMs() ?? null,
    sseClients: clients.length,
    timings,
    steps,
    totalSeconds: seconds(Date.now() - runStarted),
  };
  writeFileSync(path.join(dir, 'swarm.json'), `${JSON.stringify(result, null, 2)}\n`);
}

beforeAll(async () => {
  const started = Date.now();
  stack = await deploySwarmStack();
  timings.deploySeconds = seconds(Date.now() - started);
  const cluster = Date.now();
  await poll('petzi.relay and its DLQ on all three nodes', 180_000, () => relayQueueReady(live()));
  await gatewayServing(live(), 120_000);
  timings.clusterReadySeconds = seconds(Date.now() - cluster);
});

afterAll(async () => {
  stopLoad.abort();
  await load?.catch(() => undefined);
  clients.forEach((c) => c.close());
  if (stack && !downDone) await stack.down().catch((e: unknown) => process.stderr.write(`down failed: ${String(e)}\n`));
  writeResults();
  process.stderr.write(`[swarm] timings (s): ${JSON.stringify(timings)}\n`);
});

describe('the stack on Docker Swarm under load, through five faults', () => {
  it('runs every service at its replicas, the relay queues as quorum queues on all three nodes', async () => {
    const replicas = await live().replicas();
    expect(replicas).toMatchObject({
      functions: { running: 3, desired: 3 },
      relay: { running: 2, desired: 2 },
      'sse-bridge': { running: BRIDGES, desired: BRIDGES },
      'rabbitmq-1': { running: 1, desired: 1 },
      'rabbitmq-2': { running: 1, desired: 1 },
      'rabbitmq-3': { running: 1, desired: 1 },
      db: { running: 1, desired: 1 },
      gateway: { running: 1, desired: 1 },
      prometheus: { running: 1, desired: 1 },
    });
    const queues = await queueStatus(live());
    for (const name of ['petzi.relay', 'petzi.relay.dlq']) {
      const queue = queues.find((q) => q.name === name);
      expect({ name, type: queue?.type, online: queue?.online.length }).toEqual({ name, type: 'quorum', online: 3 });
    }
    // The bridges' own queues stay classic: exclusive queues cannot be quorum queues.
    const bridgeQueues = queues.filter((q) => q.name.startsWith('amq.gen-'));
    expect(bridgeQueues.length).toBe(BRIDGES);
    expect(bridgeQueues.every((q) => q.type === 'classic')).toBe(true);
  });

  it(`keeps SSE clients through the gateway on every bridge and a steady signed load of ${RATE}/s, all delivered`, async () => {
    openClient();
    let perBridge = await poll('the bridges to count the client', 30_000, async () => {
      const counted = await clientsPerBridge();
      return counted.reduce((a, b) => a + b, 0) === clients.length ? counted : undefined;
    });
    while (perBridge.some((n) => n === 0) && clients.length < MAX_CLIENTS) {
      openClient();
      perBridge = await poll('the bridges to count every client', 30_000, async () => {
        const counted = await clientsPerBridge();
        return counted.reduce((a, b) => a + b, 0) === clients.length ? counted : undefined;
      });
    }
    expect(perBridge.every((n) => n > 0)).toBe(true);
    ledger = new Ledger(live(), clients);
    const books = ledger;
    load = steadyLoad({
      target: () => live().url('PETZI_WEBHOOK_PORT'),
      secret: live().secrets.petzi_webhook_secret,
      rate: RATE,
      count: Number.POSITIVE_INFINITY,
      seed: Date.now() % 1_000_000,
      concurrency: 256,
      stop: stopLoad.signal,
      onSend: (at) => books.sent(at),
      onReply: (reply) => books.record(reply),
    });
    const record = await step('steady load (no fault)', async () => {
      await sleep(15_000);
      return { clientsPerBridge: perBridge };
    });
    expect(record.ok).toBeGreaterThan(0);
    expectOnlyDocumentedRefusals();
    expectNoRepeats();
  });

  it('1. rolls the functions service to a new image tag', async () => {
    const image = await newImageTag('functions', `${live().imageTag}-functions2`);
    await step('1. functions rolling update', () => rollingUpdate('functions', image));
    expectOnlyDocumentedRefusals();
    expectNoRepeats();
  });

  it('2. rolls the relay service to a new image tag', async () => {
    const image = await newImageTag('functions', `${live().imageTag}-relay2`);
    await step('2. relay rolling update', () => rollingUpdate('relay', image));
    expectOnlyDocumentedRefusals();
    expectNoRepeats();
  });

  it('3. survives docker kill of the RabbitMQ node that leads petzi.relay, and its return', async () => {
    await step('3. kill the petzi.relay leader node', async () => {
      const before = await poll('a leader of petzi.relay', 60_000, () => relayQueueReady(live()));
      const service = nodeService(before.leader);
      const [container] = await live().containers(service);
      await docker(['kill', container]);
      const elected = await poll('a new leader among the other nodes', STEP_MS, async () => {
        const relay = (await queueStatus(live()).catch(() => [])).find((q) => q.name === 'petzi.relay');
        return relay && relay.leader !== '' && relay.leader !== before.leader ? relay.leader : undefined;
      });
      const electedAt = Date.now();
      // Swarm restarts the node's task; it rejoins with its volume and its queue replica.
      const back = await poll(`${service} back in the cluster`, STEP_MS, async () => {
        const [again] = await live().containers(service);
        return again && again !== container ? relayQueueReady(live()) : undefined;
      });
      return {
        killed: before.leader,
        newLeader: elected,
        leaderNowAfterReturn: back.leader,
        returnAfterElectionSeconds: seconds(Date.now() - electedAt),
      };
    });
    expectOnlyDocumentedRefusals();
    expectNoRepeats();
  });

  it('4. survives docker kill of a relay replica that holds unacknowledged messages', async () => {
    await step('4. kill a relay replica mid-batch', async () => {
      const unacked = await poll(
        'the relay to hold unacknowledged messages',
        60_000,
        async () => {
          const relay = (await queueStatus(live())).find((q) => q.name === 'petzi.relay');
          return relay && relay.messagesUnacknowledged > 0 ? relay.messagesUnacknowledged : undefined;
        },
        250,
      );
      const [victim] = await live().containers('relay');
      await docker(['kill', victim]);
      await poll('the relay back at 2 replicas', STEP_MS, async () => {
        const running = await live().containers('relay');
        return running.length === 2 && !running.includes(victim) ? running : undefined;
      });
      return { unacknowledgedWhenKilled: unacked };
    });
    expectOnlyDocumentedRefusals();
    expectNoRepeats();
  });

  it('5. removes a bridge replica and adds it back; its clients resume with Last-Event-ID', async () => {
    const record = await step('5. bridge replica removed and added', async () => {
      const name = live().service('sse-bridge');
      await docker(['service', 'scale', '--detach', `${name}=${BRIDGES - 1}`]);
      await live().converged(STEP_MS);
      const resumed = await poll('a client of the removed bridge to resume on the other', 60_000, async () => {
        const perBridge = await clientsPerBridge();
        return perBridge.length === BRIDGES - 1 && perBridge[0] === clients.length ? perBridge : undefined;
      });
      await docker(['service', 'scale', '--detach', `${name}=${BRIDGES}`]);
      await live().converged(STEP_MS);
      return { clientsOnTheRemainingBridge: resumed[0] };
    });
    // The removed bridge had clients (every bridge had one): they reconnected, and lost nothing.
    expect(record.clientReconnects).toBeGreaterThan(0);
    expectOnlyDocumentedRefusals();
    expectNoRepeats();
  });

  it('answers the documented 503 with Retry-After while no functions replica runs, and 200 again once one does', async () => {
    const record = await step('no functions replica, then 3 again', async () => {
      const name = live().service('functions');
      const started = Date.now();
      const at = () => seconds(Date.now() - started);
      await docker(['service', 'scale', '--detach', `${name}=0`]);
      await live().converged(STEP_MS);
      const noneAt = at();
      // The load goes on meanwhile: every request of these seconds finds no replica.
      const since = Date.now();
      await poll(
        'the gateway to refuse with 503',
        30_000,
        async () => (books().refusals(since)['503 retry-after=5'] ? true : undefined),
        250,
      );
      const refusedWhileNone = books().refusals(since);
      const scaleUpAt = at();
      await docker(['service', 'scale', '--detach', `${name}=3`]);
      await live().converged(STEP_MS);
      const threeAt = at();
      await gatewayServing(live(), 60_000);
      // When the slowest 200s of the step were sent, to tell a stopping replica from a starting one.
      const slowest = books()
        .replies.filter(
          (r) => r.status === 200 && r.sentAt >= started && r.repliedAt !== undefined && r.repliedAt - r.sentAt > 2_000,
        )
        .map((r) => ({ sentAtSeconds: seconds(r.sentAt - started), ms: (r.repliedAt ?? 0) - r.sentAt }));
      return {
        secondsFromStart: { noReplica: noneAt, scaleUp: scaleUpAt, threeReplicas: threeAt, serving: at() },
        refusedWhileNone,
        repliesOver2s: slowest.length,
        sentSecondsOfRepliesOver2s: [...new Set(slowest.map((r) => Math.floor(r.sentAtSeconds)))],
      };
    });
    expect(record.refused['503 retry-after=5']).toBeGreaterThan(0);
    expectOnlyDocumentedRefusals();
    expectNoRepeats();
  });

  it('ends with every stored webhook projected once and relayed once, nothing dead-lettered', async () => {
    stopLoad.abort();
    await load;
    const ended = Date.now();
    const caught = await books().caughtUp(ended, CATCH_UP_MS);
    timings.finalCatchUpSeconds = seconds(caught.ms);
    timings.notAcknowledged = caught.unanswered;
    timings.notAcknowledgedButStored = caught.unansweredStored;
    const totals = await books().totals();
    const acknowledged = new Set(books().acknowledged());
    expect(acknowledged.size).toBe(books().acknowledged().length);
    // The load is the only sender: the rows are the acknowledged webhooks and the unanswered ones stored anyway, each
    // once.
    expect(totals.rows).toBe(acknowledged.size + caught.unansweredStored);
    expect({ tickets: totals.tickets, liveEvents: totals.liveEvents, deadLetters: totals.deadLetters }).toEqual({
      tickets: totals.rows,
      liveEvents: totals.rows,
      deadLetters: 0,
    });
    const queues = await queueStatus(live());
    expect(queues.find((q) => q.name === 'petzi.relay.dlq')?.messages).toBe(0);
    expectOnlyDocumentedRefusals();
    expectNoRepeats();
    timings.webhooks = books().replies.length;
  });

  it('docker stack rm leaves no container, network, volume, secret, config or image of the run', async () => {
    clients.forEach((c) => c.close());
    const started = Date.now();
    const left = await live().down();
    downDone = true;
    timings.downSeconds = seconds(Date.now() - started);
    expect(left).toEqual([]);
  });
});
