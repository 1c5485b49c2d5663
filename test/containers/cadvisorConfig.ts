/**
 * Decodes an io.cadvisor.metric.prometheus config as cAdvisor does: encoding/json into its
 * Prometheus collector config (collector/config.go at the pinned release), where
 * `polling_frequency` is a Go time.Duration, i.e. an int64 of nanoseconds. A string such as
 * "15s" makes json.Unmarshal fail, and cAdvisor then only logs a warning and collects nothing.
 */
export interface CadvisorPrometheusConfig {
  endpoint: { protocol: string; port: number; path: string };
  pollingFrequencyNs: number;
  metricsConfig: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function decodeCadvisorConfig(text: string): CadvisorPrometheusConfig {
  const raw: unknown = JSON.parse(text);
  if (!isRecord(raw)) throw new Error('cannot unmarshal: the config is not a JSON object');
  const endpoint = raw.endpoint;
  if (!isRecord(endpoint)) throw new Error('cannot unmarshal: "endpoint" must be an object');
  const { protocol, port, path } = endpoint;
  if (typeof protocol !== 'string' || typeof path !== 'string')
    throw new Error('cannot unmarshal: endpoint.protocol and endpoint.path must be strings');
  // endpoint.port is a Go int.
  if (typeof port !== 'number' || !Number.isInteger(port))
    throw new Error('cannot unmarshal: endpoint.port must be an integer');
  const polling = raw.polling_frequency ?? 0;
  if (typeof polling !== 'number' || !Number.isSafeInteger(polling)) {
    throw new Error(
      `cannot unmarshal ${JSON.stringify(polling)} into Go struct field Prometheus.polling_frequency of type time.Duration (integer nanoseconds)`,
    );
  }
  const metrics = raw.metrics_config ?? [];
  if (!Array.isArray(metrics) || !metrics.every((m): m is string => typeof m === 'string')) {
    throw new Error('cannot unmarshal: metrics_config must be an array of strings');
  }
  return { endpoint: { protocol, port, path }, pollingFrequencyNs: polling, metricsConfig: metrics };
}
