import { PayloadGenerator, todayUtc } from '../../simulator/src/payloads';
import { probeUntilOk, steadyLoad, type Reply } from './load';
import { reconcile, type Reconciliation } from './reconcile';
import { FaultStack, SECRET } from './stack';

export interface Profile {
  name: 'full' | 'reduced';
  rate: number;
  seconds: number;
  faultAtSeconds: number;
  faultSeconds: number;
  settleSeconds: number;
  stormDeliveries: number;
  stormBodies: number;
}

export const PROFILES: Record<Profile['name'], Profile> = {
  full: {
    name: 'full',
    rate: 200,
    seconds: 30,
    faultAtSeconds: 10,
    faultSeconds: 10,
    settleSeconds: 60,
    stormDeliveries: 1000,
    stormBodies: 100,
  },
  reduced: {
    name: 'reduced',
    rate: 100,
    seconds: 8,
    faultAtSeconds: 2,
    faultSeconds: 3,
    settleSeconds: 45,
    stormDeliveries: 1000,
    stormBodies: 100,
  },
};

export interface ScenarioResult extends Reconciliation {
  scenario: string;
  description: string;
  /** Rows in webhook_event at the end (the storm checks it equals its distinct bodies). */
  rows: number;
  /** 200 replies given while the database was cut off, to requests sent during the cut (must be 0). */
  okDuringDbOutage: number | null;
  /** Webhooks sent after the fault (to every host, until each answered 200); counted in sent/ok too. */
  recoveryProbes: number;
  /** From the end of the fault to the first 200 after it (the run fails when there is none). */
  firstOkAfterFaultMs: number | null;
  /** From the end of the fault until every webhook acknowledged before it reached every client. */
  caughtUpAfterFaultMs: number | null;
  seconds: number;
}

interface Drive {
  replies: Reply[];
  faultStart?: number;
  /** When the fault began to be undone (restore called): the outage lasts at most until then. */
  restoreStart?: number;
  /** When the fault was undone (restore done); for the storms, when the storm is over. */
  faultEnd: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long each host is given, after the fault ends, to answer a fresh webhook with a 200. */
const RECOVERY_PROBE_SECONDS = 30;

async function settle(
  stack: FaultStack,
  replies: Reply[],
  seconds: number,
): Promise<{ stored: Set<number>; relayed: Set<number> }> {
  const acked = new Set(replies.flatMap((r) => (r.status === 200 && r.id !== undefined ? [r.id] : [])));
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const stored = await stack.stored();
    const relayed = await stack.relayed();
    const published = new Set(stack.published);
    const done = [...acked].every(
      (id) => stored.has(id) && published.has(id) && relayed.has(id) && stack.clients.every((c) => c.firstSeen.has(id)),
    );
    if (done || Date.now() > deadline) return { stored, relayed };
    await sleep(250);
  }
}

async function run(
  name: string,
  description: string,
  profile: Profile,
  shape: { hosts: number; bridges: number },
  drive: (stack: FaultStack) => Promise<Drive>,
): Promise<ScenarioResult> {
  const started = Date.now();
  const stack = await FaultStack.create(name);
  try {
    await stack.captureWebhooks();
    for (let i = 0; i < shape.hosts; i += 1) await stack.startHost();
    for (let i = 0; i < shape.bridges; i += 1) stack.connectClient(await stack.startBridge());
    await sleep(500);
    const { replies, faultStart, restoreStart, faultEnd } = await drive(stack);
    // The load may end before a restarted host is back: every host must still be shown to answer
    // a fresh webhook with a 200 after the fault, or the recovery figures would measure nothing.
    const probes = await Promise.all(
      stack.hosts.map((host, i) =>
        probeUntilOk(host.url, SECRET, { seed: 9000 + i, timeoutMs: RECOVERY_PROBE_SECONDS * 1000 }),
      ),
    );
    replies.push(...probes.flat());
    const { stored, relayed } = await settle(stack, replies, profile.settleSeconds);
    const result = reconcile({
      replies,
      stored,
      relayed,
      published: stack.published,
      clients: stack.clients.map((c) => c.ids),
    });
    // Sent after the fault ended and answered 200: the first such answer is the recovery.
    const firstOk = replies
      .filter((r) => r.status === 200 && r.sentAt >= faultEnd)
      .map((r) => r.repliedAt ?? Infinity)
      .sort((a, b) => a - b)[0];
    const before = replies
      .filter((r) => r.status === 200 && r.id !== undefined && r.sentAt < faultEnd)
      .map((r) => r.id as number);
    const lastDelivery = Math.max(
      ...before.map((id) => Math.max(...stack.clients.map((c) => c.firstSeen.get(id) ?? Infinity))),
    );
    return {
      scenario: name,
      description,
      ...result,
      rows: stored.size,
      okDuringDbOutage: null,
      recoveryProbes: probes.flat().length,
      firstOkAfterFaultMs: firstOk === undefined || !Number.isFinite(firstOk) ? null : firstOk - faultEnd,
      caughtUpAfterFaultMs:
        before.length === 0 || !Number.isFinite(lastDelivery) ? null : Math.max(0, lastDelivery - faultEnd),
      seconds: Math.round((Date.now() - started) / 100) / 10,
      ...(faultStart !== undefined && name === 'postgres-restart'
        ? // Requests sent and answered while the proxy was surely down. One sent during the cut may
          // wait in the pool for a connection and commit once Postgres is back: its 200 is right.
          {
            okDuringDbOutage: replies.filter(
              (r) => r.status === 200 && r.sentAt > faultStart + 200 && (r.repliedAt ?? Infinity) < (restoreStart ?? 0),
            ).length,
          }
        : {}),
    };
  } finally {
    await stack.close();
  }
}

/** Load on the current hosts with a fault window in the middle. */
async function loadWithFault(
  stack: FaultStack,
  profile: Profile,
  fault: { start: () => Promise<void>; end: () => Promise<void> },
): Promise<Drive> {
  const load = steadyLoad({
    target: (i) => stack.hosts[i % stack.hosts.length].url,
    secret: SECRET,
    rate: profile.rate,
    count: profile.rate * profile.seconds,
    seed: 42,
  });
  await sleep(profile.faultAtSeconds * 1000);
  const faultStart = Date.now();
  await fault.start();
  await sleep(profile.faultSeconds * 1000);
  const restoreStart = Date.now();
  await fault.end();
  const faultEnd = Date.now();
  return { replies: await load, faultStart, restoreStart, faultEnd };
}

export const SCENARIOS: Record<string, { description: string; run: (profile: Profile) => Promise<ScenarioResult> }> = {
  'rabbitmq-stop': {
    description: 'RabbitMQ unreachable mid-load (every connection cut), then back',
    run: (p) =>
      run('rabbitmq-stop', SCENARIOS['rabbitmq-stop'].description, p, { hosts: 1, bridges: 1 }, (stack) =>
        loadWithFault(stack, p, { start: () => stack.brokerProxy.cut(), end: () => stack.brokerProxy.restore() }),
      ),
  },
  'postgres-restart': {
    description: 'Postgres unreachable mid-load (every connection dropped), then back',
    run: (p) =>
      run('postgres-restart', SCENARIOS['postgres-restart'].description, p, { hosts: 1, bridges: 1 }, (stack) =>
        loadWithFault(stack, p, { start: () => stack.dbProxy.cut(), end: () => stack.dbProxy.restore() }),
      ),
  },
  'host-sigkill': {
    description: 'functions host killed with SIGKILL mid-load, restarted 2 s later',
    run: (p) =>
      run('host-sigkill', SCENARIOS['host-sigkill'].description, p, { hosts: 1, bridges: 1 }, (stack) =>
        loadWithFault(
          stack,
          { ...p, faultSeconds: 2 },
          {
            // Requests keep going to the dead host's address meanwhile: refused, never acknowledged.
            start: async () => {
              stack.hosts[0].process.kill('SIGKILL');
            },
            end: async () => {
              await stack.startHost(0);
            },
          },
        ),
      ),
  },
  'bridge-restart': {
    description: 'SSE bridge killed while clients are connected, restarted on the same port',
    run: (p) =>
      run('bridge-restart', SCENARIOS['bridge-restart'].description, p, { hosts: 1, bridges: 1 }, (stack) =>
        loadWithFault(
          stack,
          { ...p, faultSeconds: 2 },
          {
            start: async () => {
              stack.bridges[0].child?.process.kill('SIGKILL');
            },
            end: async () => {
              await stack.startBridge(stack.bridges[0]);
            },
          },
        ),
      ),
  },
  'duplicate-storm': {
    description: 'deliveries of few distinct bodies from many connections at once',
    run: (p) =>
      run('duplicate-storm', SCENARIOS['duplicate-storm'].description, p, { hosts: 1, bridges: 1 }, async (stack) => {
        const generator = new PayloadGenerator({ seed: 7, mode: 'ticket_created', baseDate: todayUtc() });
        const bodies = Array.from({ length: p.stormBodies }, () => generator.next().body);
        const faultStart = Date.now();
        const replies = await steadyLoad({
          target: () => stack.hosts[0].url,
          secret: SECRET,
          rate: 5000,
          count: p.stormDeliveries,
          seed: 0,
          bodies,
          concurrency: 100,
        });
        return { replies, faultStart, faultEnd: Date.now() };
      }),
  },
  'two-of-each': {
    description: 'two functions hosts and two bridges on the same broker and database',
    run: (p) =>
      run('two-of-each', SCENARIOS['two-of-each'].description, p, { hosts: 2, bridges: 2 }, async (stack) => {
        const faultStart = Date.now();
        const replies = await steadyLoad({
          target: (i) => stack.hosts[i % 2].url,
          secret: SECRET,
          rate: p.rate,
          count: p.rate * p.seconds,
          seed: 11,
        });
        return { replies, faultStart, faultEnd: Date.now() };
      }),
  },
};
