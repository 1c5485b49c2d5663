import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { ConfigError, declareVariables, readEnv, type Env, exposure, matchesAnyKey } from '../../../functions/src';
import { type RequestTarget, sendJson } from '../../../kit/src';
import { cookie, overTls, SESSION_COOKIE, sessionCookie } from './cookies';
import { loginPage, PAGE_HEADERS } from './loginPage';
import type { LoginThrottle } from './loginThrottle';
import { readLimited } from './requestBody';
import type { SessionStore } from './sessions';

/** Who may log in to the dashboard (DASHBOARD_USER / DASHBOARD_PASSWORD) and the one-click token npm start prints. */
export interface DashboardLogin {
  user: string;
  password: string;
  /** DASHBOARD_LOGIN_TOKEN: `/?token=…` logs in once, then it is spent. */
  loginToken?: string;
}

export const DEFAULT_DASHBOARD_USER = 'admin';

export const LOGIN_VARIABLES = declareVariables({
  DASHBOARD_USER: { kind: 'string', default: DEFAULT_DASHBOARD_USER, meaning: 'the login user name' },
  DASHBOARD_PASSWORD: {
    kind: 'string',
    meaning: 'the login password',
    unset: 'no login, on loopback outside production only',
  },
  DASHBOARD_LOGIN_TOKEN: {
    kind: 'string',
    meaning: 'a one-click login: /?token=<it> logs in once (npm start sets a fresh one per run)',
  },
});

/** The query parameter of the one-click login URL (Jupyter's name). */
export const TOKEN_PARAM = 'token';

/** Where a front proxy (nginx auth_request) checks a session: 204 live, 401 not. */
export const AUTH_CHECK = '/auth';

/** Paths a script or a proxy calls: without a session they get a 401, not a redirect to the form. */
function isDataPath(target: RequestTarget): boolean {
  const [first] = target.segments;
  return first === 'api' || first === 'events' || target.pathname === AUTH_CHECK;
}

/**
 * The one place that lets the dashboard go without a login: no DASHBOARD_PASSWORD, a loopback bind
 * and local development. Anywhere else a missing password refuses the start, naming the variable.
 */
export function resolveDashboardLogin(env: Env, hostname: string): DashboardLogin | undefined {
  const password = readEnv.read(env, LOGIN_VARIABLES.DASHBOARD_PASSWORD);
  if (password === undefined) {
    const why = exposure(hostname, env);
    if (why !== undefined)
      throw new ConfigError(
        `set DASHBOARD_PASSWORD (and DASHBOARD_USER, default "${DEFAULT_DASHBOARD_USER}"): refusing to serve the dashboard without a login because ${why}`,
      );
    return undefined;
  }
  return {
    user: readEnv.read(env, LOGIN_VARIABLES.DASHBOARD_USER),
    password,
    loginToken: readEnv.read(env, LOGIN_VARIABLES.DASHBOARD_LOGIN_TOKEN),
  };
}

/** Methods that change nothing; every other one must come from this dashboard's own pages. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request must carry an Origin naming this dashboard (browsers send it on every
 * POST): another site's form or script cannot log a browser in or out, or do anything else.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || req.headers.host === undefined) return false;
  return origin.toLowerCase() === `${overTls(req) ? 'https' : 'http'}://${req.headers.host}`.toLowerCase();
}

/**
 * The address a request comes from: the peer, or with `trustProxy` (DASHBOARD_TRUST_PROXY: one
 * reverse proxy in front, such as the containers' nginx) the last X-Forwarded-For entry, which
 * that proxy appended; a malformed entry falls back to the peer.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (!trustProxy) return peer;
  const chain = req.headers['x-forwarded-for'];
  const last = (Array.isArray(chain) ? chain.join(',') : (chain ?? '')).split(',').pop()?.trim() ?? '';
  return isIP(last) !== 0 ? last : peer;
}

const MAX_FORM_BYTES = 4096;

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const body = await readLimited(req, MAX_FORM_BYTES);
  return body === undefined ? undefined : new URLSearchParams(body.toString('utf8'));
}

function page(res: ServerResponse, status: number, message?: string, headers: Record<string, string> = {}): void {
  const html = loginPage(message);
  res.writeHead(status, { ...PAGE_HEADERS, 'Content-Length': Buffer.byteLength(html), ...headers });
  res.end(html);
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, {
    Location: location,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'Content-Length': 0,
    ...headers,
  });
  res.end();
}

/** The login form, the login itself, the logout and the one-click token, over one session store. */
export class LoginGate {
  constructor(
    private readonly login: DashboardLogin,
    private readonly sessions: SessionStore,
    private readonly throttle: LoginThrottle,
    private readonly trustProxy = false,
  ) {}

  /**
   * What the login itself answers: /login, /logout, a one-click token, and any request without a
   * live session (a page: to the form; data: 401). Undefined lets the request through.
   */
  answer(req: IncomingMessage, target: RequestTarget): ((res: ServerResponse) => void | Promise<void>) | undefined {
    const { pathname } = target;
    if (pathname === '/login' || pathname === '/logout') return (res) => this.serve(req, res, pathname);
    const method = req.method ?? 'GET';
    const token = target.query.get(TOKEN_PARAM);
    if (token !== null && method === 'GET') return (res) => this.redeem(req, res, target, token);
    if (pathname === '/healthz' || this.sessions.touch(cookie(req, SESSION_COOKIE))) return undefined;
    return (res) => {
      req.resume();
      if (isDataPath(target) || (method !== 'GET' && method !== 'HEAD'))
        return sendJson(res, 401, { error: 'log in first: POST /login' });
      sendJson(res, 303, { error: 'log in first' }, { Location: '/login' });
    };
  }

  /**
   * GET/POST /login and POST /logout change the session, so the Origin check is here (the one
   * proxied POST, the redrive, has the same check: adminRoute.ts).
   */
  private async serve(req: IncomingMessage, res: ServerResponse, pathname: '/login' | '/logout'): Promise<void> {
    const method = req.method ?? 'GET';
    if (!SAFE_METHODS.has(method) && !sameOrigin(req)) {
      req.resume();
      return sendJson(res, 403, {
        error: 'refused: a state-changing request must carry an Origin header naming this dashboard',
      });
    }
    if (pathname === '/logout') {
      req.resume();
      if (method !== 'POST')
        return sendJson(
          res,
          405,
          { error: `method ${method} not allowed; log out with POST /logout` },
          { Allow: 'POST' },
        );
      this.sessions.destroy(cookie(req, SESSION_COOKIE));
      return redirect(res, '/login', { 'Set-Cookie': sessionCookie(req, '', 0) });
    }
    if (method === 'GET' || method === 'HEAD') {
      req.resume();
      return page(res, 200);
    }
    if (method !== 'POST') {
      req.resume();
      return sendJson(res, 405, { error: `method ${method} not allowed` }, { Allow: 'GET, HEAD, POST' });
    }
    const form = await readForm(req);
    if (form === undefined)
      return sendJson(res, 413, { error: `login form larger than ${MAX_FORM_BYTES} bytes` }, { Connection: 'close' });
    const address = clientAddress(req, this.trustProxy);
    const wait = this.throttle.blockedForSeconds(address);
    if (wait > 0)
      return page(res, 429, `Too many failed logins: try again in ${wait} s.`, { 'Retry-After': String(wait) });
    // Both compared every time, in constant time: the reply says nothing about which one was wrong.
    const userOk = matchesAnyKey(form.get('user') ?? '', [this.login.user]);
    const passwordOk = matchesAnyKey(form.get('password') ?? '', [this.login.password]);
    if (!userOk || !passwordOk) {
      this.throttle.failed(address);
      return page(res, 401, 'Wrong user name or password.');
    }
    redirect(res, '/', { 'Set-Cookie': sessionCookie(req, this.sessions.create()) });
  }

  /** `?token=…`: a good token becomes a session cookie and a redirect to the same URL without it. */
  private redeem(req: IncomingMessage, res: ServerResponse, target: RequestTarget, token: string): void {
    req.resume();
    const session = this.sessions.redeem(token);
    if (session === undefined)
      return page(
        res,
        401,
        'This login link has been used already or is not valid: log in with the user name and password.',
      );
    const rest = new URLSearchParams(target.query);
    rest.delete(TOKEN_PARAM);
    const query = rest.toString();
    redirect(res, `${target.pathname}${query ? `?${query}` : ''}`, { 'Set-Cookie': sessionCookie(req, session) });
  }
}
