import type { HttpHandler } from '@azure/functions';
import { enumParam, instantParam, onlyParams, QueryParamError, textParam } from '../http/query';
import { json, readEndpoint } from '../http/responses';
import { registerFunction } from '../runtime/azure';
import type { HttpFunction } from '../runtime/declaration';
import type { Deps } from '../runtime/deps';
import { salesSeries, ticketStats, type SalesBucket } from '../read-api/readModels';

/** Failed webhook requests by the host's metric label `reason` (invalid signature, bad JSON, …). */
async function errorsByReason(deps: Deps): Promise<Array<{ reason: string; count: number }>> {
  const metric = await deps.metrics.requests.get();
  const counts = new Map<string, number>();
  for (const v of metric.values) {
    if (v.labels.status !== 'error' || v.value === 0) continue;
    const reason = String(v.labels.reason ?? '') || 'unknown';
    counts.set(reason, (counts.get(reason) ?? 0) + v.value);
  }
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** How many buckets a chart shows at most; a finer bucket over a longer range is refused. */
const MAX_BUCKETS = 1_000;
const BUCKET_MS: Record<SalesBucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The optional sales series of the charts' date range: from, to, bucket and the zone of its days. */
function salesRange(query: URLSearchParams): { from: Date; to: Date; bucket: SalesBucket; zone: string } | undefined {
  const from = instantParam(query, 'from');
  const to = instantParam(query, 'to');
  const bucket = enumParam(query, 'bucket', ['minute', 'hour', 'day'] as const, 'hour');
  const zone = textParam(query, 'zone', 64) ?? 'Europe/Zurich';
  if (!isTimeZone(zone)) throw new QueryParamError('zone', 'zone must be an IANA time zone, e.g. Europe/Zurich');
  if (!from && !to) {
    for (const name of ['bucket', 'zone']) if (query.has(name)) throw new QueryParamError(name, `${name} needs from and to`);
    return undefined;
  }
  if (!from) throw new QueryParamError('from', 'from is required with to');
  if (!to) throw new QueryParamError('to', 'to is required with from');
  if (from >= to) throw new QueryParamError('to', 'to must be after from');
  if ((to.getTime() - from.getTime()) / BUCKET_MS[bucket] > MAX_BUCKETS) throw new QueryParamError('bucket', `more than ${MAX_BUCKETS} ${bucket}s: choose a larger bucket`);
  return { from, to, bucket, zone };
}

/**
 * GET /api/stats: the dashboard's KPIs and chart series, plus this host's pipeline counters.
 * With from and to (and bucket, zone) it adds `sales`, the tickets sold in that range.
 */
export function statsHandler(deps: Deps): HttpHandler {
  return (request) =>
    readEndpoint(async () => {
      onlyParams(request.query, ['from', 'to', 'bucket', 'zone']);
      const range = salesRange(request.query);
      const { webhooksLastMinute, ...stats } = await ticketStats(deps.pool);
      const errors = await errorsByReason(deps);
      return json(200, {
        ...stats,
        ...(range ? { sales: { bucket: range.bucket, zone: range.zone, series: await salesSeries(deps.pool, range.from, range.to, range.bucket, range.zone) } } : {}),
        pipeline: {
          webhooksLastMinute,
          webhooksPerSecond: Math.round((webhooksLastMinute / 60) * 100) / 100,
          errorsTotal: errors.reduce((sum, e) => sum + e.count, 0),
          errorsByReason: errors,
        },
        generatedAt: new Date(deps.now()).toISOString(),
      });
    });
}

export const statsFunction: HttpFunction = {
  kind: 'http',
  name: 'stats',
  route: 'api/stats',
  methods: ['GET'],
  authLevel: 'function',
  handler: statsHandler,
};

registerFunction(statsFunction);
