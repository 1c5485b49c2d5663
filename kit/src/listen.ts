import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { declareVariables, readEnv, type Env } from '../../functions/src';

/** Every process binds this unless HOST says otherwise: nothing is reachable from the network by accident. */
export const LOOPBACK = '127.0.0.1';

/** HOST, one name for the host, the bridge and the dashboard server. */
export const LISTEN_VARIABLES = declareVariables({
  HOST: {
    kind: 'string',
    default: LOOPBACK,
    meaning: 'the address it binds: 127.0.0.1 is this machine only, 0.0.0.0 every interface',
  },
});

export function hostFromEnv(env: Env): string {
  return readEnv.read(env, LISTEN_VARIABLES.HOST);
}

/** The address really bound, for banners: http://0.0.0.0:5000, http://[::]:5000, http://127.0.0.1:5000. */
export function boundUrl(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(readonly port: number) {
    super(`Port ${port} is already in use`);
  }
}

/** Starts listening; a taken port rejects with PortInUseError so each CLI can name its variable. */
export function listen(server: Server, port: number, hostname = LOOPBACK): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error),
    );
    server.listen(port, hostname, () => resolve());
  });
}
