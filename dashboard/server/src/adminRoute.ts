import type { IncomingMessage, ServerResponse } from 'node:http';
import { QueryParamError, jsonObjectBody, redriveRequest } from '../../../functions/src';
import { sendJson } from '../../../kit/src';
import { sameOrigin } from './login';
import { proxyHttp, type Upstream } from './proxy';
import { readLimited } from './requestBody';

/** Far above any body the app sends (1,000 ids are under 8 KiB). */
const MAX_BODY_BYTES = 16 * 1024;

function isJsonType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === 'application/json';
}

/**
 * POST /api/dead-letters/redrive, the one state-changing route the app calls: same-origin only
 * (like /login), refused with a 403 when this server holds no admin key, the body checked here
 * (a malformed one never travels with the admin key), then passed on with the admin key, which no
 * other route ever carries.
 */
export async function forwardRedrive(
  req: IncomingMessage,
  res: ServerResponse,
  admin: Upstream,
  pathAndQuery: string,
): Promise<void> {
  if (!sameOrigin(req)) {
    req.resume();
    return sendJson(res, 403, {
      error: 'refused: a state-changing request must carry an Origin header naming this dashboard',
    });
  }
  if (admin.apiKey === undefined) {
    req.resume();
    return sendJson(res, 403, {
      error: 'redrive needs the admin key, and this dashboard server has none: set PETZI_ADMIN_KEY in its environment',
    });
  }
  if (!isJsonType(req.headers['content-type'])) {
    req.resume();
    return sendJson(res, 415, { error: 'send the body as application/json: {"ids": [1, 2]} or {"all": true}' });
  }
  const body = await readLimited(req, MAX_BODY_BYTES);
  if (body === undefined)
    return sendJson(res, 413, { error: `body larger than ${MAX_BODY_BYTES} bytes` }, { Connection: 'close' });
  try {
    // The functions' own parser: the same 400, naming the field, whichever door is asked.
    redriveRequest(jsonObjectBody(body.toString('utf8')));
  } catch (error) {
    if (error instanceof QueryParamError) return sendJson(res, 400, { error: error.message, parameter: error.param });
    throw error;
  }
  proxyHttp(req, res, admin, pathAndQuery, 'functions host', body);
}
