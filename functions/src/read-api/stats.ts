import type { Pool } from 'pg';
import type { PipelineMetrics } from '../metrics/pipelineMetrics';
import { UnstorableValueError } from '../core/errors';
import { enumParam, instantParam, onlyParams, QueryParamError, textParam } from '../http/query';
import { salesSeries, ticketStats, type SalesBucket } from './readModels';

/** The sales series of the charts' date range: from, to, bucket and the zone of its days. */
export interface SalesRange {
  from: Date;
  to: Date;
  bucket: SalesBucket;
  zone: string;
}

/** How many buckets a chart shows at most; a finer bucket over a longer range is refused. */
const MAX_BUCKETS = 1_000;
const BUCKET_MS: Record<SalesBucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const ZONE_PROBLEM = 'zone must be an IANA time zone, e.g. Europe/Zurich';

/** The IANA zone ICU knows under `zone`, in its canonical spelling (europe/zurich: Europe/Zurich), or undefined. */
function canonicalZone(zone: string): string | undefined {
  // Offsets (+01:00) and POSIX strings (UTC+1) are not names: Postgres reads their sign the other way round.
  if (!/^[A-Za-z][A-Za-z0-9_+/-]*$/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * GET /api/stats's parameters: no range, or from and to with an optional bucket and zone; else a QueryParamError (400).
 */
export function salesRangeQuery(query: URLSearchParams): SalesRange | undefined {
  onlyParams(query, ['from', 'to', 'bucket', 'zone']);
  const from = instantParam(query, 'from');
  const to = instantParam(query, 'to');
  const bucket = enumParam(query, 'bucket', ['minute', 'hour', 'day'] as const, 'hour');
  const zone = canonicalZone(textParam(query, 'zone', 64) ?? 'Europe/Zurich');
  if (zone === undefined) throw new QueryParamError('zone', ZONE_PROBLEM);
  if (!from && !to) {
    for (const name of ['bucket', 'zone'])
      if (query.has(name)) throw new QueryParamError(name, `${name} needs from and to`);
    return undefined;
  }
  if (!from) throw new QueryParamError('from', 'from is required with to');
  if (!to) throw new QueryParamError('to', 'to is required with from');
  if (from >= to) throw new QueryParamError('to', 'to must be after from');
  if ((to.getTime() - from.getTime()) / BUCKET_MS[bucket] > MAX_BUCKETS)
    throw new QueryParamError('bucket', `more than ${MAX_BUCKETS} ${bucket}s: choose a larger bucket`);
  return { from, to, bucket, zone };
}

/** Failed webhook requests by the host's metric label `reason` (invalid signature, bad JSON, …). */
async function errorsByReason(
  requests: PipelineMetrics['requests'],
): Promise<Array<{ reason: string; count: number }>> {
  const metric = await requests.get();
  const counts = new Map<string, number>();
  for (const v of metric.values) {
    if (v.labels.status !== 'error' || v.value === 0) continue;
    const reason = String(v.labels.reason ?? '') || 'unknown';
    counts.set(reason, (counts.get(reason) ?? 0) + v.value);
  }
  return [...counts]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/**
 * The range's series. ICU and Postgres each carry their own copy of the time zone database, so
 * a name ICU knows may be one Postgres does not (22023): that is the caller's zone, a 400.
 */
async function salesOf(pool: Pool, range: SalesRange) {
  try {
    return await salesSeries(pool, range.from, range.to, range.bucket, range.zone);
  } catch (error) {
    const unknownZone =
      error instanceof UnstorableValueError &&
      (error.cause as { code?: unknown }).code === '22023' &&
      /time zone/.test(error.message);
    throw unknownZone ? new QueryParamError('zone', ZONE_PROBLEM) : error;
  }
}

/** The dashboard's KPIs and chart series, the sales of `range` if asked, and this host's pipeline counters. */
export async function statsReport(
  deps: { pool: Pool; requests: PipelineMetrics['requests']; now: () => number },
  range: SalesRange | undefined,
) {
  const { webhooksLastMinute, ...stats } = await ticketStats(deps.pool);
  const errors = await errorsByReason(deps.requests);
  return {
    ...stats,
    ...(range ? { sales: { bucket: range.bucket, zone: range.zone, series: await salesOf(deps.pool, range) } } : {}),
    pipeline: {
      webhooksLastMinute,
      webhooksPerSecond: Math.round((webhooksLastMinute / 60) * 100) / 100,
      errorsTotal: errors.reduce((sum, e) => sum + e.count, 0),
      errorsByReason: errors,
    },
    generatedAt: new Date(deps.now()).toISOString(),
  };
}
