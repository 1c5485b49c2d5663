import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from '../../tools/provision/ports';

/** Debian's nginx (nginx-light or nginx; .ci/run installs nginx-light), or NGINX_PATH. */
const NGINX = process.env.NGINX_PATH || 'nginx';

export interface RealNginx {
  /** Where each `listen` snippet the site includes was bound, by the port name start.sh gives it (8080, 5000, 5001). */
  ports: Record<string, number>;
  errorLog(): string;
  stop(): Promise<void>;
}

export interface RealNginxOptions {
  /** The site config as the repository holds it (infra/nginx/*.conf). */
  site: string;
  /** Back-end names in the config (`functions:80`) and where they are here (`127.0.0.1:41234`). */
  upstreams: Record<string, string>;
  /** The loopback-only port 8079 of the config: moved to a free port too. */
  loopbackPort?: boolean;
  /** Written as the API key snippet start.sh writes. */
  apiKey?: string;
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nginx did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * A real nginx running one of the repository's site configs, unchanged but for what only exists
 * in a container: the back ends' names (here loopback ports), Docker's resolver (not needed for
 * addresses), the snippets start.sh writes, and the paths (a temporary prefix).
 */
export async function startRealNginx(options: RealNginxOptions): Promise<RealNginx> {
  const version = spawnSync(NGINX, ['-v'], { encoding: 'utf8' });
  if (version.error)
    throw new Error(
      `nginx is not installed (${version.error.message}): apt-get install nginx-light, or set NGINX_PATH`,
    );
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'petzi-nginx-'));
  // Workers run as nobody when the tests run as root: they must reach the prefix and write its temp folders.
  chmodSync(prefix, 0o755);
  const run = path.join(prefix, 'run');
  mkdirSync(run);
  for (const dir of ['html', 'client_body', 'proxy']) mkdirSync(path.join(prefix, dir), { mode: 0o777 });
  chmodSync(path.join(prefix, 'client_body'), 0o777);
  chmodSync(path.join(prefix, 'proxy'), 0o777);
  writeFileSync(path.join(prefix, 'html', 'index.html'), '<!doctype html><title>app</title>');

  const listens = [...options.site.matchAll(/include \/etc\/nginx\/petzi\/run\/listen-(\d+)\.conf;/g)].map((m) => m[1]);
  const wanted = listens.length + (options.loopbackPort ? 1 : 0);
  const free = await freePorts(wanted);
  const ports: Record<string, number> = {};
  listens.forEach((name, i) => {
    ports[name] = free[i];
    writeFileSync(path.join(run, `listen-${name}.conf`), `listen 127.0.0.1:${free[i]};\n`);
  });
  for (const name of ['tls', 'hsts']) writeFileSync(path.join(run, `${name}.conf`), '');
  writeFileSync(path.join(run, 'api-key.conf'), `proxy_set_header x-functions-key "${options.apiKey ?? ''}";\n`);

  let site = options.site
    .replaceAll('/etc/nginx/petzi/run', run)
    .replace(/^resolver .*$/m, '')
    .replaceAll('/usr/share/nginx/html', path.join(prefix, 'html'));
  for (const [name, address] of Object.entries(options.upstreams))
    site = site.replaceAll(`http://${name}`, `http://${address}`);
  if (options.loopbackPort) {
    const loopback = free[free.length - 1];
    ports['8079'] = loopback;
    site = site.replaceAll('127.0.0.1:8079', `127.0.0.1:${loopback}`);
  }
  writeFileSync(path.join(prefix, 'site.conf'), site);
  writeFileSync(
    path.join(prefix, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log info;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log ${prefix}/access.log;
    client_body_temp_path ${prefix}/client_body;
    proxy_temp_path ${prefix}/proxy;
    include ${prefix}/site.conf;
}
`,
  );
  const child = spawn(NGINX, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const errorLog = () => {
    try {
      return readFileSync(path.join(prefix, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  try {
    await Promise.race([
      Promise.all(Object.values(ports).map((port) => waitForPort(port, 10_000))),
      exited.then(() => Promise.reject(new Error(`nginx exited: ${stderr}${errorLog()}`))),
    ]);
  } catch (error) {
    child.kill('SIGQUIT');
    await exited;
    rmSync(prefix, { recursive: true, force: true });
    throw error;
  }
  return {
    ports,
    errorLog,
    async stop() {
      // QUIT: a graceful stop of the master and its worker.
      child.kill('SIGQUIT');
      await exited;
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
