/** Exchanges, queues and bindings reduced to what must match between the code and definitions.json. */
export interface ExchangeShape {
  name: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
  internal: boolean;
  arguments: Record<string, unknown>;
}

export interface QueueShape {
  name: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
  arguments: Record<string, unknown>;
}

export interface BindingShape {
  source: string;
  destination: string;
  destination_type: string;
  routing_key: string;
  arguments: Record<string, unknown>;
}

export interface TopologyShape {
  exchanges: ExchangeShape[];
  queues: QueueShape[];
  bindings: BindingShape[];
}

type Raw = Record<string, unknown>;

const byJson = <T>(items: T[]): T[] => [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** Management API objects or definitions.json entries → shapes; `rename` maps every name (e.g. strips a prefix). */
export function topologyShape(
  raw: { exchanges: Raw[]; queues: Raw[]; bindings: Raw[] },
  rename: (name: string) => string = (n) => n,
): TopologyShape {
  const args = (value: unknown): Record<string, unknown> => {
    const entries = Object.entries((value ?? {}) as Record<string, unknown>)
      // The queue type is compared as `type`; a classic queue may or may not carry the argument.
      .filter(([key]) => key !== 'x-queue-type')
      .map(([key, v]) => [key, typeof v === 'string' ? rename(v) : v]);
    return Object.fromEntries(entries.sort(([a], [b]) => String(a).localeCompare(String(b))));
  };
  return {
    exchanges: byJson(
      raw.exchanges.map((e) => ({
        name: rename(String(e.name)),
        type: String(e.type),
        durable: Boolean(e.durable),
        auto_delete: Boolean(e.auto_delete),
        internal: Boolean(e.internal),
        arguments: args(e.arguments),
      })),
    ),
    queues: byJson(
      raw.queues.map((q) => ({
        name: rename(String(q.name)),
        // The management API reports `type`; definitions only say it through x-queue-type (default classic).
        type: String(q.type ?? (q.arguments as Raw | undefined)?.['x-queue-type'] ?? 'classic'),
        durable: Boolean(q.durable),
        auto_delete: Boolean(q.auto_delete),
        arguments: args(q.arguments),
      })),
    ),
    bindings: byJson(
      raw.bindings.map((b) => ({
        source: rename(String(b.source)),
        destination: rename(String(b.destination)),
        destination_type: String(b.destination_type),
        routing_key: rename(String(b.routing_key)),
        arguments: args(b.arguments),
      })),
    ),
  };
}
