import type { Server } from 'node:http';

export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(readonly port: number) {
    super(`Port ${port} is already in use`);
  }
}

/** Starts listening; a taken port rejects with PortInUseError so each CLI can name its variable. */
export function listen(server: Server, port: number, hostname = '0.0.0.0'): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error));
    server.listen(port, hostname, () => resolve());
  });
}
