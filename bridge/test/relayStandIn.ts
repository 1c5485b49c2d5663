import * as amqp from 'amqplib';
import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import {
  declareTopology,
  topologyNames,
  type TopologyNames,
  migrate,
  silentLogger,
  encodeLiveBatch,
  LIVE_BATCH_CONTENT_TYPE,
  LIVE_BATCH_TYPE,
  type Logger,
} from '../../functions/src';
import { deleteTopology } from '../../test/support/broker';
import { createTestDatabase, type TestDatabase } from '../../test/support/db';
import { TEST_RABBITMQ_URL, uniqueName } from '../../test/support/env';
import { startBridge, type RunningBridge } from '../src/bridge';
import { loadBridgeConfig } from '../src/config';

export interface RelayedEvent {
  id: number;
  seq: number;
  body: Record<string, unknown>;
}

/**
 * Plays the relay's part for bridge tests: commits webhook_event + live_event rows the way the
 * relay does (seq under a transaction-level advisory lock) and publishes the body to petzi.live.
 */
export class RelayStandIn {
  private counter = 0;
  /** Highest seq committed so far. */
  lastSeq = 0;

  private constructor(
    readonly pool: Pool,
    readonly names: TopologyNames,
    private readonly connection: amqp.ChannelModel,
    private readonly channel: amqp.ConfirmChannel,
  ) {}

  static async open(dbUrl: string, prefix: string): Promise<RelayStandIn> {
    const pool = new Pool({ connectionString: dbUrl, max: 3 });
    await migrate(pool);
    const names = topologyNames(prefix);
    const connection = await amqp.connect(TEST_RABBITMQ_URL);
    const channel = await connection.createConfirmChannel();
    await declareTopology(channel, names);
    return new RelayStandIn(pool, names, connection, channel);
  }

  /** Commits one webhook and its live event; `extra` goes into the body (e.g. padding). */
  async commit(extra: Record<string, unknown> = {}): Promise<RelayedEvent> {
    this.counter += 1;
    const number = `BR${process.pid}${String(this.counter).padStart(6, '0')}`;
    const payload = { event: 'ticket_created', details: { ticket: { number }, buyer: { role: 'customer' } } };
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const webhook = await client.query<{ id: string; received_at: Date }>(
        `INSERT INTO webhook_event (event_type, body_sha256, signature_timestamp, payload)
         VALUES ('ticket_created', $1, now(), $2) RETURNING id, received_at`,
        [createHash('sha256').update(`${number}-${Math.random()}`).digest('hex'), JSON.stringify(payload)],
      );
      const id = Number(webhook.rows[0].id);
      await client.query('SELECT pg_advisory_xact_lock(7711)');
      const body: Record<string, unknown> = {
        id,
        receivedAt: webhook.rows[0].received_at.toISOString(),
        relayedAt: new Date().toISOString(),
        event: 'ticket_created',
        ticket: { number, title: 'Bridge Night', status: 'valid' },
        ...extra,
      };
      const live = await client.query<{ seq: string }>(
        'INSERT INTO live_event (webhook_id, body) VALUES ($1, $2) RETURNING seq',
        [id, JSON.stringify(body)],
      );
      const seq = Number(live.rows[0].seq);
      body.seq = seq;
      await client.query('UPDATE live_event SET body = $2 WHERE webhook_id = $1', [id, JSON.stringify(body)]);
      await client.query('COMMIT');
      this.lastSeq = Math.max(this.lastSeq, seq);
      return { id, seq, body };
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  /** Publishes the event as the relay does: a batch of one (docs/protocol.md). */
  async publish(event: RelayedEvent): Promise<void> {
    await this.publishRaw(encodeLiveBatch([{ id: event.id, seq: event.seq, json: JSON.stringify(event.body) }]));
  }

  /** Publishes any message to petzi.live: type and content type are the relay's unless given. */
  async publishRaw(
    message: { content: Buffer; headers?: Record<string, unknown> },
    properties: { type?: string; contentType?: string } = {},
  ): Promise<void> {
    const options = {
      persistent: true,
      contentType: LIVE_BATCH_CONTENT_TYPE,
      type: LIVE_BATCH_TYPE,
      headers: message.headers,
      ...properties,
    };
    await new Promise<void>((resolve, reject) =>
      this.channel.publish(this.names.liveExchange, '', message.content, options, (error: unknown) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
      ),
    );
  }

  async relay(extra: Record<string, unknown> = {}): Promise<RelayedEvent> {
    const event = await this.commit(extra);
    await this.publish(event);
    return event;
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
    await this.pool.end();
  }
}

export interface BridgeFixture {
  db: TestDatabase;
  relay: RelayStandIn;
  bridge: RunningBridge;
  prefix: string;
  /** Waits until the bridge has broadcast and written everything the relay stand-in committed. */
  settled(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A database, a topology prefix, the relay stand-in and a bridge on port 0; close() undoes all of it. */
export async function startBridgeFixture(
  env: Record<string, string> = {},
  log: Logger = silentLogger,
): Promise<BridgeFixture> {
  const db = await createTestDatabase();
  const prefix = uniqueName('br');
  const relay = await RelayStandIn.open(db.url, prefix);
  const config = loadBridgeConfig({
    DATABASE_URL: db.url,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    BRIDGE_TOPOLOGY_PREFIX: prefix,
    ...env,
  });
  const bridge = await startBridge({ config, port: 0, hostname: '127.0.0.1', log, processMetrics: false });
  return {
    db,
    relay,
    bridge,
    prefix,
    async settled(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while ((bridge.lastSeq ?? 0) < relay.lastSeq) {
        if (Date.now() > deadline) throw new Error(`bridge stuck at seq ${bridge.lastSeq}, relay at ${relay.lastSeq}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      await bridge.idle();
    },
    async close() {
      await bridge.stop();
      await relay.close();
      await db.drop();
      await deleteTopology({ ...relay.names });
    },
  };
}

/** Reads one sample value from a Prometheus text exposition. */
export async function metricValue(bridgeUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${bridgeUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  if (!line) throw new Error(`metric ${name}${labels} not found`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

export function parsed(data: string): Record<string, unknown> {
  return JSON.parse(data) as Record<string, unknown>;
}
