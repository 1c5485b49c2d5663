import * as amqp from 'amqplib';
import { topologyNames, type TopologyNames } from '../../functions/src';
import {
  ADMIN_DATABASE_URL,
  RABBITMQ_URL,
  adminQuery,
  deleteTopology,
  dropDatabase,
  entryPoint,
  freePort,
  freshDatabase,
  keyHeaders,
  startChild,
  type Child,
} from '../bench/support';
import { startTcpProxy, viaProxy, hostPortOf, type TcpProxy } from '../harness/tcpProxy';
import { ReconnectingSseClient } from '../harness/sseClient';

export const SECRET = 'faults-secret';

export interface BridgeSlot {
  port: number;
  child: Child | undefined;
  url: string;
}

/**
 * A real pipeline in child processes (functions hosts and SSE bridges) on its own database and
 * topology, reaching Postgres and RabbitMQ through TCP proxies the scenario can cut.
 */
export class FaultStack {
  readonly hosts: Child[] = [];
  readonly bridges: BridgeSlot[] = [];
  readonly clients: ReconnectingSseClient[] = [];
  readonly published: number[] = [];
  readonly topology: TopologyNames;
  private capture: { connection: amqp.ChannelModel; channel: amqp.Channel } | undefined;

  private constructor(
    readonly name: string,
    readonly databaseUrl: string,
    readonly prefix: string,
    readonly brokerProxy: TcpProxy,
    readonly dbProxy: TcpProxy,
    /** Children connect straight to Postgres and RabbitMQ, not through the proxies (see create). */
    readonly direct: boolean,
    /** Where the children's compiled code is: this tree, or another built checkout (a bench's A/B). */
    private readonly root: string,
  ) {
    this.topology = topologyNames(prefix);
  }

  /**
   * direct: children bypass the cuttable proxies. The proxies run in this process, so every
   * query and frame would wait on its event loop too: right for fault scenarios, wrong for
   * measuring latency while this process also generates the load.
   */
  static async create(name: string, options: { direct?: boolean; root?: string } = {}): Promise<FaultStack> {
    const dbName = `petzi_faults_${name.replace(/-/g, '_')}_${process.pid}`;
    const databaseUrl = await freshDatabase(dbName);
    const broker = hostPortOf(RABBITMQ_URL, 5672);
    const db = hostPortOf(ADMIN_DATABASE_URL, 5432);
    const stack = new FaultStack(
      name,
      databaseUrl,
      `faults${process.pid}.${name}`,
      await startTcpProxy(broker.host, broker.port),
      await startTcpProxy(db.host, db.port),
      options.direct === true,
      options.root ?? '',
    );
    return stack;
  }

  private get env(): Record<string, string> {
    return {
      DATABASE_URL: this.direct ? this.databaseUrl : viaProxy(this.databaseUrl, this.dbProxy.port),
      RABBITMQ_URL: this.direct ? RABBITMQ_URL : viaProxy(RABBITMQ_URL, this.brokerProxy.port),
      PETZI_WEBHOOK_SECRET: SECRET,
      PETZI_TOPOLOGY_PREFIX: this.prefix,
      OUTBOX_GRACE_SECONDS: '1',
    };
  }

  /**
   * Starts a functions host; with `replace`, it takes that slot (a restart after a kill); `env` adds to its settings.
   */
  async startHost(replace?: number, env: Record<string, string> = {}): Promise<Child> {
    const host = await startChild(entryPoint(this.root, 'host'), { ...this.env, PORT: '0', ...env });
    if (replace === undefined) this.hosts.push(host);
    else this.hosts[replace] = host;
    return host;
  }

  /** Starts a bridge, on the slot's port when restarting it so that clients reconnect to it. */
  async startBridge(slot?: BridgeSlot): Promise<BridgeSlot> {
    const port = slot?.port ?? (await freePort());
    const child = await startChild(entryPoint(this.root, 'bridge'), { ...this.env, PORT: String(port) });
    if (slot) {
      slot.child = child;
      return slot;
    }
    const created = { port, child, url: `http://127.0.0.1:${port}` };
    this.bridges.push(created);
    return created;
  }

  connectClient(bridge: BridgeSlot): ReconnectingSseClient {
    const client = new ReconnectingSseClient(`${bridge.url}/events`, keyHeaders()).start();
    this.clients.push(client);
    return client;
  }

  /** Records every message id reaching petzi.webhooks, directly from the broker (not through the proxy). */
  async captureWebhooks(): Promise<void> {
    const connection = await amqp.connect(RABBITMQ_URL);
    const channel = await connection.createChannel();
    await channel.assertExchange(this.topology.webhookExchange, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, this.topology.webhookExchange, '#');
    await channel.consume(
      queue,
      (message) => {
        if (message) this.published.push(Number(message.properties.messageId));
      },
      { noAck: true },
    );
    this.capture = { connection, channel };
  }

  async stored(): Promise<Set<number>> {
    const rows = await adminQuery<{ id: string }>(this.databaseUrl, 'SELECT id FROM webhook_event');
    return new Set(rows.map((r) => Number(r.id)));
  }

  async relayed(): Promise<Set<number>> {
    const rows = await adminQuery<{ webhook_id: string }>(this.databaseUrl, 'SELECT webhook_id FROM live_event');
    return new Set(rows.map((r) => Number(r.webhook_id)));
  }

  async close(): Promise<void> {
    this.clients.forEach((c) => c.close());
    await Promise.allSettled([...this.hosts.map((h) => h.stop()), ...this.bridges.map((b) => b.child?.stop())]);
    await this.capture?.channel.close().catch(() => undefined);
    await this.capture?.connection.close().catch(() => undefined);
    await this.brokerProxy.close();
    await this.dbProxy.close();
    // Both clean-ups run even if one fails, so a failed run leaves neither behind.
    const cleanups = await Promise.allSettled([
      dropDatabase(new URL(this.databaseUrl).pathname.slice(1)),
      deleteTopology(this.topology),
    ]);
    const failed = cleanups.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
