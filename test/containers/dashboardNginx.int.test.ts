import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DASHBOARD_ROUTES } from '../../dashboard/server/src/allowedRoutes';
import { AUTH_CHECK } from '../../dashboard/server/src/login';
import { directives, locationBlock, mapEntries } from './nginx';
import { listeningPorts, loadCompose, readRepoFile, repoPath, service } from './repo';

/**
 * The dashboard container's nginx keeps the node dashboard server's promises: the same login
 * (auth_request to that server), the same allow-list, its own key upstream and nothing of the
 * browser's (cookie, key) passed on.
 */
const compose = loadCompose();
const config = readRepoFile('infra/nginx/dashboard.conf');
const site =
  config
    .split(/^server \{/m)
    .slice(1)
    .find((block) => block.includes('listen-8080.conf')) ?? '';
const authPort = Number(service(compose, 'dashboard-auth').environment?.PORT);
const FUNCTIONS = 'http://functions:80';

/**
 * A DASHBOARD_ROUTES path as an nginx map pattern: `{name}` is one segment, one trailing slash
 * tolerated (as parseRequestTarget does).
 */
function nginxPattern(routePath: string): string {
  return `~^${routePath.replace(/\{[^}]+\}/g, '[^/]+')}/?$`;
}

/** The value of a `set $name value;` in a block. */
function setValue(block: string, name: string): string | undefined {
  return (directives(block).get('set') ?? []).map((v) => v.split(/\s+/)).find(([n]) => n === name)?.[1];
}

describe("the dashboard's nginx: the allow-list", () => {
  it("passes on exactly DASHBOARD_ROUTES (dashboard/server/src/allowedRoutes.ts), to each route's upstream", () => {
    const functionsRoutes = mapEntries(config, '$uri', '$petzi_api_upstream')
      .filter(([pattern]) => pattern !== 'default')
      .map(([pattern, upstream]) => ({ pattern, upstream }));
    expect(functionsRoutes).toEqual(
      DASHBOARD_ROUTES.filter((r) => r.upstream === 'functions' && r.key === 'function').map((r) => ({
        pattern: nginxPattern(r.path),
        upstream: FUNCTIONS,
      })),
    );
    // The bridge's routes are exact locations (one per route) proxied to the bridges.
    for (const route of DASHBOARD_ROUTES.filter((r) => r.upstream === 'bridge')) {
      expect(site).toMatch(new RegExp(`location = ${route.path} \\{`));
      expect(setValue(locationBlock(site, route.path), '$sse_bridge')).toBe('http://sse-bridge:5001');
    }
    // No other location reaches a back end.
    const proxied = [...site.matchAll(/location\s+(=\s+)?(\S+)\s*\{/g)]
      .map((m) => m[2])
      .filter((p) => directives(locationBlock(site, p)).has('proxy_pass'));
    const admin = DASHBOARD_ROUTES.filter((r) => r.key === 'admin').map((r) => r.path);
    expect(proxied.sort()).toEqual(
      [
        '/_petzi_auth',
        '/api/',
        '/login',
        '/logout',
        ...admin,
        ...DASHBOARD_ROUTES.filter((r) => r.upstream === 'bridge').map((r) => r.path),
      ].sort(),
    );
  });

  it('sends the admin routes (POST only) to the node dashboard server, which holds the admin key and checks the Origin; nginx adds no key', () => {
    const admin = DASHBOARD_ROUTES.filter((r) => r.key === 'admin');
    expect(admin.map((r) => r.path)).toEqual(['/api/dead-letters/redrive']);
    for (const route of admin) {
      const block = locationBlock(site, route.path);
      const d = directives(block);
      expect(block).toMatch(new RegExp(`limit_except ${route.methods.join(' ')} \\{ deny all; \\}`));
      expect(setValue(block, '$petzi_admin_server')).toBe(`http://dashboard-auth:${authPort}`);
      expect(d.get('proxy_set_header')).toEqual(
        expect.arrayContaining(['Host $http_host', 'X-Forwarded-Proto $scheme', 'x-functions-key ""']),
      );
      expect(d.get('include') ?? []).not.toContain('/etc/nginx/petzi/run/api-key.conf');
      expect(d.get('error_page')).toEqual(['401 = @petzi_unauthorized']);
    }
    const env = service(compose, 'dashboard-auth').environment ?? {};
    expect(env.FUNCTIONS_URL).toBe(FUNCTIONS);
    expect(env.PETZI_ADMIN_KEY).toMatch(/^\$\{PETZI_ADMIN_KEY:\?/);
    // nginx itself never holds the admin key.
    expect(Object.keys(service(compose, 'dashboard').environment ?? {})).not.toContain('PETZI_ADMIN_KEY');
  });

  it('allows on each proxied location exactly the methods DASHBOARD_ROUTES gives its routes (nginx: GET allows HEAD)', () => {
    const nginxMethods = (methods: readonly string[]) => methods.filter((m) => m !== 'HEAD').join(' ');
    const byLocation = new Map<string, Set<string>>();
    for (const route of DASHBOARD_ROUTES) {
      const location = route.key === 'admin' || route.upstream === 'bridge' ? route.path : '/api/';
      byLocation.set(location, new Set([...(byLocation.get(location) ?? []), nginxMethods(route.methods)]));
    }
    for (const [location, methods] of byLocation) {
      expect({ location, methods: [...methods] }).toEqual({ location, methods: [expect.any(String)] });
      expect(locationBlock(site, location)).toContain(`limit_except ${[...methods][0]} { deny all; }`);
    }
  });

  it('answers any other /api path with a JSON 404 of its own loopback server, and only GET (HEAD) on the routes', () => {
    expect(mapEntries(config, '$uri', '$petzi_api_upstream')).toContainEqual(['default', 'http://127.0.0.1:8079']);
    const loopback =
      config
        .split(/^server \{/m)
        .slice(1)
        .find((block) => block.includes('listen 127.0.0.1:8079;')) ?? '';
    expect(locationBlock(loopback, '/')).toMatch(/return 404 '\{"error":"[^']+"\}\\n';/);
    for (const p of ['/api/', '/events']) expect(locationBlock(site, p)).toMatch(/limit_except GET \{ deny all; \}/);
  });
});

describe('nginx passes no request body on a read route', () => {
  const gateway = readRepoFile('infra/nginx/gateway.conf');
  const bridgeServer = gateway.split(/^server \{/m).find((block) => block.includes('listen-5001.conf')) ?? '';
  const readLocations: Array<[string, string]> = [
    ['dashboard /api/ (the read routes)', locationBlock(site, '/api/')],
    ...DASHBOARD_ROUTES.filter((r) => r.upstream === 'bridge').map((r): [string, string] => [
      `dashboard ${r.path}`,
      locationBlock(site, r.path),
    ]),
    ['dashboard /_petzi_auth', locationBlock(site, '/_petzi_auth')],
    ['gateway :5001 (the bridges)', locationBlock(bridgeServer, '/')],
  ];

  it.each(readLocations)('%s: proxy_pass_request_body off, Content-Length cleared', (_name, block) => {
    const d = directives(block);
    expect(d.get('proxy_pass_request_body')).toEqual(['off']);
    expect(d.get('proxy_set_header')).toContain('Content-Length ""');
  });

  it('every location that proxies a read-only route is in that list; the others take bodies on purpose (login, logout, redrive, the webhook gateway)', () => {
    const proxied = [...site.matchAll(/location\s+(=\s+)?(\S+)\s*\{/g)]
      .map((m) => m[2])
      .filter((p) => directives(locationBlock(site, p)).has('proxy_pass'));
    const withBodies = proxied.filter(
      (p) => !(directives(locationBlock(site, p)).get('proxy_pass_request_body') ?? []).includes('off'),
    );
    expect(withBodies.sort()).toEqual(
      ['/login', '/logout', ...DASHBOARD_ROUTES.filter((r) => r.key === 'admin').map((r) => r.path)].sort(),
    );
  });
});

describe("the dashboard's nginx: the login", () => {
  it("asks the node dashboard server's GET /auth about every request (auth_request)", () => {
    expect(directives(site).get('auth_request')).toEqual(['/_petzi_auth']);
    const auth = locationBlock(site, '/_petzi_auth');
    const d = directives(auth);
    expect(d.has('internal')).toBe(true);
    expect(setValue(auth, '$petzi_auth')).toBe(`http://dashboard-auth:${authPort}${AUTH_CHECK}`);
    expect(d.get('proxy_pass_request_body')).toEqual(['off']);
    expect(listeningPorts(service(compose, 'dashboard-auth'))).toContain(authPort);
  });

  it('lets only the login, the logout and the health probe through without a session, passing the first two to the node server', () => {
    const open = [...site.matchAll(/location\s+(?:=\s+)?(\S+)\s*\{/g)]
      .map((m) => m[1])
      .filter((p) => (directives(locationBlock(site, p)).get('auth_request') ?? []).includes('off'));
    expect(open.sort()).toEqual(['/healthz', '/login', '/logout']);
    for (const p of ['/login', '/logout']) {
      const d = directives(locationBlock(site, p));
      expect(setValue(locationBlock(site, p), '$petzi_login_server')).toBe(`http://dashboard-auth:${authPort}`);
      // The node server's Origin check compares the browser's Origin with this host, port and scheme.
      expect(d.get('proxy_set_header')).toEqual(
        expect.arrayContaining(['Host $http_host', 'X-Forwarded-Proto $scheme']),
      );
    }
  });

  it('sends a page without a session to the login form, and gives data a JSON 401', () => {
    expect(directives(site).get('error_page')).toEqual(['401 = @petzi_login']);
    expect(site).toMatch(/location @petzi_login \{\s*return 303 \/login;\s*\}/);
    for (const p of ['/api/', '/events'])
      expect(directives(locationBlock(site, p)).get('error_page')).toEqual(['401 = @petzi_unauthorized']);
    expect(site).toMatch(/location @petzi_unauthorized \{[^}]*return 401 '\{"error":"[^']+"\}\\n';\s*\}/);
  });

  it("adds its own key upstream and passes on neither the browser's cookie nor a key it sent", () => {
    for (const p of ['/api/', '/events']) {
      const d = directives(locationBlock(site, p));
      expect(d.get('include')).toContain('/etc/nginx/petzi/run/api-key.conf');
      expect(d.get('proxy_set_header')).toContain('Cookie ""');
    }
  });
});

describe("the dashboard's nginx: start.sh writes the key snippet", () => {
  /** Runs the part of start.sh before `exec nginx` with this environment; returns the snippet or the error. */
  function keySnippet(env: Record<string, string>): { status: number | null; snippet?: string; stderr: string } {
    const dir = mkdtempSync(path.join(tmpdir(), 'petzi-nginx-'));
    try {
      const script = readFileSync(repoPath('infra/nginx/start.sh'), 'utf8')
        .replaceAll('/etc/nginx/petzi/run', path.join(dir, 'run'))
        .replace(/^exec nginx .*$/m, 'exit 0');
      const result = spawnSync('sh', ['-c', script], {
        env: { PATH: process.env.PATH ?? '', ...env },
        encoding: 'utf8',
      });
      const snippet = result.status === 0 ? readFileSync(path.join(dir, 'run', 'api-key.conf'), 'utf8') : undefined;
      return { status: result.status, snippet, stderr: result.stderr };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('sets x-functions-key to the first key of PETZI_API_KEY', () => {
    expect(keySnippet({ PETZI_API_KEY: 'new-key1, old-key2' }).snippet).toBe(
      'proxy_set_header x-functions-key "new-key1";\n',
    );
  });

  it('still sets the header (empty) without a key, so a key a browser sends never goes on', () => {
    expect(keySnippet({}).snippet).toBe('proxy_set_header x-functions-key "";\n');
  });

  it('refuses a key nginx would read as config or variables', () => {
    for (const key of ['a"b', 'a;b', 'a$b', 'a{b}', 'a\\b']) {
      const result = keySnippet({ PETZI_API_KEY: key });
      expect({ key, status: result.status, stderr: result.stderr }).toEqual({
        key,
        status: 64,
        stderr: expect.stringContaining('PETZI_API_KEY may hold only'),
      });
    }
  });
});
