/**
 * The body of POST /api/dead-letters/redrive (ops contract, issue 17): some dead-letter record
 * ids, or all of them. The dashboard server checks it before the admin key goes anywhere with
 * it, so a malformed body is answered here (400) and never reaches the functions host.
 */
export type RedriveRequest = { ids: number[] } | { all: true };

/** Ids in one request: far more than a page of the dashboard's list, far less than the body limit. */
export const MAX_REDRIVE_IDS = 1000;

/** The request, or what is wrong with it in words (the 400's error). */
export function parseRedriveRequest(text: string): RedriveRequest | { problem: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { problem: 'body is not valid JSON: send {"ids": [1, 2]} or {"all": true}' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { problem: 'body must be a JSON object: {"ids": [1, 2]} or {"all": true}' };
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => key !== 'ids' && key !== 'all');
  if (unknown.length > 0) return { problem: `unknown field "${unknown[0]}": send "ids" or "all"` };
  if ('ids' in fields && 'all' in fields) return { problem: 'send either "ids" or "all", not both' };
  if ('all' in fields) return fields.all === true ? { all: true } : { problem: '"all" must be true' };
  const { ids } = fields;
  if (!Array.isArray(ids) || ids.length === 0) return { problem: '"ids" must be a non-empty array of dead-letter ids' };
  if (ids.length > MAX_REDRIVE_IDS) return { problem: `"ids" may hold at most ${MAX_REDRIVE_IDS} ids` };
  const bad = ids.find((id) => !Number.isSafeInteger(id) || (id as number) < 1);
  if (bad !== undefined) return { problem: `"ids" must hold positive integers, got ${JSON.stringify(bad)}` };
  return { ids: ids as number[] };
}
