/** The few Prometheus HTTP API reads the containers test makes. */
export interface Target {
  labels: { job: string; instance: string };
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

interface ApiReply<T> {
  status: string;
  data: T;
}

async function api<T>(base: string, path: string): Promise<T> {
  const response = await fetch(`${base}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
  const reply = (await response.json()) as ApiReply<T>;
  if (reply.status !== 'success') throw new Error(`GET ${path}: ${JSON.stringify(reply)}`);
  return reply.data;
}

export async function activeTargets(base: string): Promise<Target[]> {
  return (await api<{ activeTargets: Target[] }>(base, '/api/v1/targets?state=active')).activeTargets;
}

/** An instant query, as label set → value. */
export async function query(
  base: string,
  promql: string,
): Promise<Array<{ metric: Record<string, string>; value: number }>> {
  const data = await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
    base,
    `/api/v1/query?query=${encodeURIComponent(promql)}`,
  );
  return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

export async function alertRuleNames(base: string): Promise<string[]> {
  const data = await api<{ groups: Array<{ rules: Array<{ type: string; name: string }> }> }>(base, '/api/v1/rules');
  return data.groups.flatMap((g) => g.rules.filter((r) => r.type === 'alerting').map((r) => r.name));
}
