import net from 'node:net';

/** A port someone else holds; the message names the variable that moves ours. */
export class PortTakenError extends Error {
  override name = 'PortTakenError';
  constructor(
    readonly port: number,
    readonly service: string,
    readonly variable: string,
  ) {
    super(`Port ${port} (${service}) is already in use: set ${variable} to another port.`);
  }
}

export function isPortFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export async function requireFreePort(port: number, service: string, variable: string): Promise<void> {
  if (!(await isPortFree(port))) throw new PortTakenError(port, service, variable);
}

/**
 * A port the system says is free right now on `host` (0.0.0.0 for what is published on every
 * interface). Two calls in a row may give the same port: ask freePorts for several at once.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await freePorts(1, host);
  return port;
}

/**
 * `count` distinct free ports on `host`. Each is held until all are chosen: one freePort() after
 * another can hand out the same port twice, since the first is released before the second is asked for.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host, () => resolve());
      });
    }
    return servers.map((server) => (server.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
