import { HttpResponse, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { type Deps, authLevelOf, methodsOf, type HttpFunction, refusal, type Access } from '../../functions/src';
import {
  guard,
  type HandlerFailure,
  createLimitedServer,
  type HttpTimeouts,
  targetOrRefuse,
  type RequestTarget,
  sendJson,
} from '../../kit/src';
import { contextLog, functionRequest } from './invocation';
import { compileRoute } from './routes';

export { HTTP_TIMEOUT_DEFAULTS, httpTimeoutsFromEnv, type HttpTimeouts } from '../../kit/src';

export interface HttpHostOptions extends Partial<HttpTimeouts> {
  /**
   * Bodies are read up to this many bytes plus one, so the handler can tell "too large" without the rest being
   * buffered.
   */
  maxBodyBytes: number;
  /** Told of every unexpected failure, with the function's name: it logs and counts it. */
  onFailure: HandlerFailure;
  /** The keys each function's authLevel asks for (the Azure host checks its own in the cloud). */
  access: Access;
}

export interface HttpHost {
  server: http.Server;
  /** Stops accepting, lets in-flight requests finish, closes idle keep-alive sockets. */
  close(): Promise<void>;
}

/** Reads at most `limit` bytes, unless the declared length already says the body is larger. */
function readBody(req: http.IncomingMessage, limit: number): Promise<{ body: Buffer; complete: boolean }> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit - 1) return Promise.resolve({ body: Buffer.alloc(0), complete: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        req.off('data', onData);
        req.pause();
        resolve({ body: Buffer.concat(chunks, size), complete: false });
      }
    };
    req.on('data', onData);
    req.once('end', () => resolve({ body: Buffer.concat(chunks, size), complete: true }));
    req.once('error', reject);
  });
}

async function writeResponse(
  res: http.ServerResponse,
  result: HttpResponseInit | HttpResponse | undefined,
  extraHeaders: Record<string, string>,
): Promise<void> {
  // Plain init objects (what our handlers return) are written directly; anything else goes
  // through the library's HttpResponse so every body kind it supports works.
  if (
    result === undefined ||
    (!(result instanceof HttpResponse) && (result.body === undefined || typeof result.body === 'string'))
  ) {
    const init = (result ?? {}) as HttpResponseInit;
    const headers: Record<string, string> = { ...extraHeaders };
    for (const [k, v] of Object.entries((init.headers ?? {}) as Record<string, string>)) headers[k] = v;
    let payload = '';
    if (init.jsonBody !== undefined) {
      payload = JSON.stringify(init.jsonBody);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
        headers['Content-Type'] = 'application/json';
    } else if (typeof init.body === 'string') {
      payload = init.body;
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
        headers['Content-Type'] = 'text/plain; charset=utf-8';
    }
    headers['Content-Length'] = String(Buffer.byteLength(payload));
    res.writeHead(init.status ?? 200, headers);
    res.end(payload);
    return;
  }
  const response = result instanceof HttpResponse ? result : new HttpResponse(result);
  const bytes = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = { ...extraHeaders };
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  headers['content-length'] = String(bytes.length);
  res.writeHead(response.status, headers);
  res.end(bytes);
}

/** Serves declared http functions through the library's own HttpRequest and InvocationContext. */
export function createHttpHost(functions: HttpFunction[], deps: Deps, options: HttpHostOptions): HttpHost {
  const routes = functions.map((fn) => compileRoute(fn.route, { fn, handler: fn.handler(deps) }));
  let closing = false;

  const server = createLimitedServer(options, (req, res) => {
    // Routing itself is guarded too: no request, however malformed, may end the process.
    guard(res, 'host', () => route(req, res), options.onFailure);
  });

  function route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const close: Record<string, string> = closing ? { Connection: 'close' } : {};
    const target = targetOrRefuse(req, res, close);
    if (!target) return;
    let params: Record<string, string> | null = null;
    const found = routes.find((r) => (params = r.match(target.pathname)) !== null);
    if (!found || params === null) {
      req.resume();
      sendJson(res, 404, { error: `No function at ${target.pathname}` }, close);
      return;
    }
    const { fn, handler } = found.target;
    const methods = methodsOf(fn);
    if (!methods.includes((req.method ?? 'GET') as never)) {
      req.resume();
      sendJson(
        res,
        405,
        { error: `Method ${req.method} not allowed`, allow: methods },
        { Allow: methods.join(', '), ...close },
      );
      return;
    }
    const denied = refusal(authLevelOf(fn), options.access, req.headers, target.query);
    if (denied !== undefined) {
      req.resume();
      sendJson(res, 401, { error: denied }, close);
      return;
    }
    const routeParams: Record<string, string> = params;
    guard(res, fn.name, () => invoke(req, res, fn, handler, target, routeParams, close), options.onFailure);
  }

  async function invoke(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    fn: HttpFunction,
    handler: ReturnType<HttpFunction['handler']>,
    target: RequestTarget,
    routeParams: Record<string, string>,
    close: Record<string, string>,
  ): Promise<void> {
    let read: { body: Buffer; complete: boolean };
    try {
      read = await readBody(req, options.maxBodyBytes + 1);
    } catch {
      // The client went away mid-body, or was cut off for sending too slowly (clientError has
      // answered it): its failure, not the function's, so nothing to log as an error.
      res.destroy();
      return;
    }
    const { body, complete } = read;
    const request = functionRequest(req, target, body, routeParams);
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: fn.name,
      logHandler: contextLog(deps.log, fn.name),
      options: { trigger: { type: 'httpTrigger', name: 'request' } },
    });
    const result = await handler(request, context);
    // A body we stopped reading cannot be left on a keep-alive socket: close after replying.
    const extra = complete ? close : { Connection: 'close' };
    await writeResponse(res, result, extra);
    if (!complete) res.once('finish', () => req.socket.destroy());
  }

  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
