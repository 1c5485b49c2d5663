import type { SwarmStack } from './stack';

/** What a node of the cluster says about one queue (rabbitmqctl list_queues). */
export interface QueueStatus {
  name: string;
  type: string;
  /** The node that leads a quorum queue ("" for a classic one). */
  leader: string;
  members: string[];
  online: string[];
  messages: number;
  messagesUnacknowledged: number;
  consumers: number;
}

export const RABBITMQ_NODES = ['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3'] as const;

/** The service of a node name: rabbit@rabbitmq-2 -> rabbitmq-2. */
export function nodeService(node: string): string {
  const service = node.replace(/^rabbit@/, '');
  if (!(RABBITMQ_NODES as readonly string[]).includes(service)) throw new Error(`${node} is no node of the stack`);
  return service;
}

/**
 * The queues as one running node reports them, asked through `docker exec` (the CLI talks to its
 * own node over Erlang's distribution). Tries each node until one answers.
 */
export async function queueStatus(stack: SwarmStack): Promise<QueueStatus[]> {
  const errors: string[] = [];
  for (const service of RABBITMQ_NODES) {
    const [container] = await stack.containers(service);
    if (!container) continue;
    try {
      const out = await stack.exec(container, [
        'rabbitmqctl',
        '-q',
        'list_queues',
        'name',
        'type',
        'leader',
        'members',
        'online',
        'messages',
        'messages_unacknowledged',
        'consumers',
        '--formatter',
        'json',
      ]);
      const rows = JSON.parse(out) as Array<Record<string, unknown>>;
      const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
      return rows.map((r) => ({
        name: String(r.name),
        type: String(r.type),
        leader: String(r.leader ?? ''),
        members: list(r.members),
        online: list(r.online),
        messages: Number(r.messages ?? 0),
        messagesUnacknowledged: Number(r.messages_unacknowledged ?? 0),
        consumers: Number(r.consumers ?? 0),
      }));
    } catch (error) {
      errors.push(`${service}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`no RabbitMQ node answered: ${errors.join('; ') || 'none running'}`);
}

/** The relay queue, once it is a quorum queue with every node a member and online; undefined until then. */
export async function relayQueueReady(stack: SwarmStack): Promise<QueueStatus | undefined> {
  const queues = await queueStatus(stack).catch(() => []);
  const relay = queues.find((q) => q.name === 'petzi.relay');
  const dlq = queues.find((q) => q.name === 'petzi.relay.dlq');
  const whole = (q: QueueStatus | undefined) =>
    q !== undefined &&
    q.type === 'quorum' &&
    q.online.length === RABBITMQ_NODES.length &&
    q.members.length === RABBITMQ_NODES.length &&
    q.leader !== '';
  return whole(relay) && whole(dlq) ? relay : undefined;
}
