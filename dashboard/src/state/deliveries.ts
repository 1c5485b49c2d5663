import type { Delivery } from '../types';

/**
 * The delivery log's question (GET /api/deliveries): outcome, HTTP status and a received-at range,
 * each '' when unused. `from`/`to` are instants (ISO); the view turns the chosen zone's wall clock
 * into them.
 */
export interface DeliveryFilter {
  outcome: string;
  status: string;
  from: string;
  to: string;
}

export const NO_DELIVERY_FILTER: DeliveryFilter = { outcome: '', status: '', from: '', to: '' };

export function isDeliveryFiltered(filter: DeliveryFilter): boolean {
  return filter.outcome !== '' || filter.status !== '' || filter.from !== '' || filter.to !== '';
}

/** The query string of GET /api/deliveries: only the parameters in use. */
export function deliverySearch(
  filter: DeliveryFilter,
  options: { limit?: number; cursor?: string | null } = {},
): URLSearchParams {
  const search = new URLSearchParams();
  for (const key of ['outcome', 'status', 'from', 'to'] as const)
    if (filter[key].trim() !== '') search.set(key, filter[key].trim());
  if (options.limit !== undefined) search.set('limit', String(options.limit));
  if (options.cursor) search.set('cursor', options.cursor);
  return search;
}

/** Outcomes of a request that was answered 2xx: everything else is a refusal, named by its reason. */
const ACCEPTED = new Set(['stored', 'duplicate']);

export function isRefusal(delivery: Pick<Delivery, 'outcome'>): boolean {
  return !ACCEPTED.has(delivery.outcome);
}

/**
 * What each outcome means, in words a box office can act on. The keys are the reasons the
 * webhook door gives its metrics (functions/src/ingest/admission.ts, the signature check and
 * functions/src/functions/webhook.ts).
 */
const MEANING: Record<string, string> = {
  stored: 'Stored: a new webhook.',
  duplicate: 'Duplicate: the same body was stored before; nothing new.',
  method_not_allowed: 'Refused: not a POST.',
  payload_too_large: 'Refused: the body is larger than the limit.',
  body_unreadable: 'Refused: the body could not be read (the connection broke off).',
  signature_missing: 'Refused: no Petzi-Signature header.',
  signature_malformed: 'Refused: the Petzi-Signature header is malformed.',
  signature_mismatch: 'Refused: the signature does not match (wrong secret, or the body was changed).',
  signature_too_old: 'Refused: the signature is too old (a replay, or the clocks disagree).',
  signature_in_future: 'Refused: the signature is from the future (the clocks disagree).',
  too_deep: 'Refused: the JSON nests too deep.',
  invalid_json: 'Refused: the body is not valid JSON.',
  not_an_object: 'Refused: the body is not a JSON object.',
  unstorable: 'Refused: the payload holds values that cannot be stored.',
  schema: 'Refused: the payload does not match the PETZI webhook schema.',
  database_unavailable: 'Refused for now: the database was unavailable (PETZI retries).',
};

/** The outcomes the filter offers, accepted first, in the order of the checks. */
export const KNOWN_OUTCOMES = Object.keys(MEANING);

/** "signature_mismatch" → "Refused: the signature does not match (…)"; an unknown reason is still shown. */
export function outcomeMeaning(outcome: string): string {
  return MEANING[outcome] ?? `Refused: ${outcome ? outcome.replace(/_/g, ' ') : 'no reason recorded'}.`;
}

/** An HTTP status as the filter takes it: 100 to 599, else the reason it is not one. */
export function statusProblem(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return /^[1-5]\d\d$/.test(trimmed) ? null : 'An HTTP status is three digits, 100 to 599.';
}
