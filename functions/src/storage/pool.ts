import { Pool } from 'pg';

export interface PoolOptions {
  max?: number;
  /** Kept short so an unreachable database turns into a 503 quickly instead of a hung request. */
  connectionTimeoutMillis?: number;
  onError?: (error: Error) => void;
}

export function createPool(connectionString: string, options: PoolOptions = {}): Pool {
  const pool = new Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 2000,
    idleTimeoutMillis: 30_000,
    application_name: 'petzi-pipeline',
  });
  // An idle client losing its server (Postgres restart) emits here; unhandled it would crash the process.
  pool.on('error', (error) => options.onError?.(error));
  // A checked-out client (inside a transaction) emits on itself instead, where pg-pool does not
  // listen: without this listener that 'error' event would crash the process. The query in
  // flight still rejects, which is what the caller acts on.
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onError?.(error));
  });
  return pool;
}
