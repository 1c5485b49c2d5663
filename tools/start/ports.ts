import { nodePorts } from '../provision/rabbitmq';

/** npm start's ports when no variable moves them. */
export const DEFAULT_PORTS = {
  functions: 5000,
  bridge: 5001,
  dashboard: 8080,
  /** The embedded Postgres. */
  postgres: 54320,
  /** A private RabbitMQ node or container; a node also takes + 10000, + 20000 and + 30000. */
  rabbitmq: 5673,
  /** Where a running broker is looked for (RABBITMQ_LOCAL_PORT); not taken by npm start. */
  rabbitmqLocal: 5672,
} as const;

/** Every port a default npm start listens on, a private node's companions included. */
export function defaultListenPorts(): number[] {
  const { functions, bridge, dashboard, postgres, rabbitmq } = DEFAULT_PORTS;
  return [functions, bridge, dashboard, postgres, ...nodePorts(rabbitmq)];
}
