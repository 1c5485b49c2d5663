import * as amqp from 'amqplib';
import type { ChannelModel, ConfirmChannel, Options, RecoveringChannelModel } from 'amqplib';
import { EventEmitter } from 'node:events';
import { errorMessage } from '../core/errors';
import { amqpSocket, coalesceWrites } from './coalesceWrites';

/** Publishing was refused because no broker connection is up (or it failed mid-way); the outbox retries. */
export class BrokerUnavailableError extends Error {
  override name = 'BrokerUnavailableError';
}

/** Runs on every (re)connection: declare topology, start consumers. */
export type SetupStep = (model: ChannelModel) => Promise<void>;

export interface BrokerOptions {
  log?: (message: string) => void;
  /** Milliseconds to wait for a publisher confirm before treating the publish as failed. */
  confirmTimeoutMs?: number;
  maxReconnectDelayMs?: number;
}

/**
 * One long-lived connection per process, recovered automatically. Every registered setup step is
 * re-run after a reconnect, so topology and consumers come back with the connection. Publishing
 * never waits for a connection: callers that cannot publish now leave the work to the outbox.
 */
export class BrokerConnection extends EventEmitter {
  private model: ChannelModel | undefined;
  private confirmChannel: ConfirmChannel | undefined;
  private readonly steps: SetupStep[] = [];
  private closed = false;
  private connections = 0;
  private coalescing = false;

  private constructor(
    private readonly recovering: RecoveringChannelModel,
    private readonly options: BrokerOptions,
  ) {
    super();
  }

  static async open(url: string, options: BrokerOptions = {}): Promise<BrokerConnection> {
    let broker: BrokerConnection | undefined;
    const recovering = await amqp.connect(url, {
      // amqplib leaves Nagle's algorithm on: with the broker's delayed ACKs a lone publish or ack
      // can sit ~40 ms in the socket, which is most of the pipeline's end-to-end latency.
      noDelay: true,
      recovery: {
        waitForConnect: false,
        initialDelay: 200,
        maxDelay: options.maxReconnectDelayMs ?? 5000,
        maxRetries: Infinity,
        setup: async (model: ChannelModel) => {
          // Throwing makes amqplib retry shortly, by which time the wrapper exists.
          if (!broker) throw new Error('broker wrapper not ready yet');
          await broker.onConnected(model);
        },
      },
    });
    broker = new BrokerConnection(recovering, options);
    recovering.on('error', (error: Error) => broker?.log(`broker error: ${error.message}`));
    recovering.on('disconnect', (error: Error) => broker?.onDisconnected(error));
    recovering.on('connect-failed', (error: Error) => broker?.log(`broker connect failed: ${error.message}`));
    return broker;
  }

  get connected(): boolean {
    return this.model !== undefined && this.confirmChannel !== undefined;
  }

  /** Whether the current connection's frames written in one tick leave as one write (coalesceWrites.ts). */
  get coalescingWrites(): boolean {
    return this.coalescing;
  }

  /** Successful connections since start; above 1 means the process reconnected. */
  get connectionCount(): number {
    return this.connections;
  }

  /** Adds a step for every future connection and runs it now if connected. */
  async addSetup(step: SetupStep): Promise<void> {
    this.steps.push(step);
    if (this.model) await step(this.model);
  }

  /** Resolves once connected, or rejects after timeoutMs. */
  async waitUntilConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('connected', onConnected);
        reject(new BrokerUnavailableError(`RabbitMQ not reachable within ${timeoutMs} ms`));
      }, timeoutMs);
      const onConnected = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once('connected', onConnected);
    });
  }

  /** Publishes and waits for the broker's confirm; throws BrokerUnavailableError when it cannot. */
  async publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    const channel = this.confirmChannel;
    if (!channel) throw new BrokerUnavailableError('RabbitMQ is not connected');
    const timeoutMs = this.options.confirmTimeoutMs ?? 5000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new BrokerUnavailableError(`No publisher confirm within ${timeoutMs} ms`)),
        timeoutMs,
      );
      try {
        channel.publish(exchange, routingKey, content, options, (error: unknown) => {
          clearTimeout(timer);
          if (error) reject(new BrokerUnavailableError(`Publish not confirmed: ${errorMessage(error)}`));
          else resolve();
        });
      } catch (error) {
        clearTimeout(timer);
        reject(new BrokerUnavailableError(`Publish failed: ${errorMessage(error)}`));
      }
    });
  }

  /** A fresh channel on the current connection, for consumers that manage their own. */
  async createChannel(): Promise<amqp.Channel> {
    if (!this.model) throw new BrokerUnavailableError('RabbitMQ is not connected');
    return this.model.createChannel();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.model = undefined;
    this.confirmChannel = undefined;
    await this.recovering.close().catch(() => undefined);
  }

  private async onConnected(model: ChannelModel): Promise<void> {
    const socket = amqpSocket(model);
    if (socket) coalesceWrites(socket);
    else this.log('cannot reach the amqplib socket: frames are written one by one');
    this.coalescing = socket !== undefined;
    const channel = await model.createConfirmChannel();
    this.watchChannel(model, channel);
    for (const step of this.steps) await step(model);
    this.model = model;
    this.confirmChannel = channel;
    this.connections += 1;
    if (this.connections > 1) this.log('broker reconnected');
    this.emit('connected', this.connections);
  }

  private onDisconnected(error: Error): void {
    this.model = undefined;
    this.confirmChannel = undefined;
    if (!this.closed) this.log(`broker disconnected: ${error.message}`);
    this.emit('disconnected', error);
  }

  /** A channel-level error (not the connection) closes only the channel: open a new one. */
  private watchChannel(model: ChannelModel, channel: ConfirmChannel): void {
    channel.on('error', (error: Error) => this.log(`publish channel error: ${error.message}`));
    channel.on('close', () => {
      if (this.closed || this.model !== model || this.confirmChannel !== channel) return;
      this.confirmChannel = undefined;
      model
        .createConfirmChannel()
        .then((next) => {
          if (this.model !== model) return next.close().catch(() => undefined);
          this.watchChannel(model, next);
          this.confirmChannel = next;
          return undefined;
        })
        .catch((error: unknown) => this.log(`cannot reopen publish channel: ${errorMessage(error)}`));
    });
  }

  private log(message: string): void {
    this.options.log?.(message);
  }
}
