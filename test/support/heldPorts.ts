import net from 'node:net';
import { isPortFree } from '../../tools/provision/ports';
import { defaultListenPorts } from '../../tools/start/ports';

export interface HeldPorts {
  /** The ports this process listens on (those someone else held already are not in it). */
  held: number[];
  release(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 on each port, as a running npm start does; a port someone else holds
 * already (the user's own npm start, another stack) is left to them: it is taken either way.
 */
export async function holdPorts(ports: readonly number[]): Promise<HeldPorts> {
  const servers: net.Server[] = [];
  for (const port of ports) {
    const server = net.createServer((socket) => socket.destroy());
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (listening) servers.push(server);
  }
  return {
    held: servers.map((server) => (server.address() as net.AddressInfo).port),
    release: async () =>
      void (await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))),
  };
}

/**
 * Every port a default `npm start` listens on, held for the life of a test file: the services a
 * test starts must take free ports, since the user's own npm start may be running. Fails when one
 * of them is still free afterwards (then the file would not prove anything).
 */
export async function holdNpmStartPorts(): Promise<HeldPorts> {
  const ports = defaultListenPorts();
  const held = await holdPorts(ports);
  const free = (await Promise.all(ports.map(async (port) => ((await isPortFree(port)) ? [port] : [])))).flat();
  if (free.length > 0) {
    await held.release();
    throw new Error(`could not hold npm start's default ports ${free.join(', ')}`);
  }
  return held;
}
