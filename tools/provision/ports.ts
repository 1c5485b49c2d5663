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

/** A port the system says is free right now on `host` (0.0.0.0 for what is published on every interface). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
