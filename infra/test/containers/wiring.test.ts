import { parse } from 'yaml';
import { Registry } from 'prom-client';
import { createPipelineMetrics } from '../../../functions/src/metrics/pipelineMetrics';
import { metricsFunction } from '../../../functions/src/functions/metrics';
import { copies, instructions } from './dockerfile';
import { directives, locationBlock } from './nginx';
import { containerPorts, dockerfileOf, finalStage, loadCompose, readRepoFile, repoFileExists, service } from './repo';

/** How the containers find each other: cAdvisor labels, nginx upstreams, Prometheus targets. */
const compose = loadCompose();

interface CadvisorConfig {
  endpoint: { protocol: string; port: number; path: string };
  metrics_config?: string[];
}

/** Sample names the functions' /metrics can expose (histograms add _bucket, _sum, _count). */
async function functionsMetricNames(): Promise<Set<string>> {
  const registry = new Registry();
  createPipelineMetrics(registry, { processMetrics: false });
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (metric.type.toString() === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

describe('cAdvisor application metrics', () => {
  const labelled = ['functions', 'sse-bridge'];

  it.each(labelled)('%s carries an io.cadvisor.metric.prometheus label naming a config baked into its image', (name) => {
    const svc = service(compose, name);
    const labels = Object.entries(svc.labels ?? {}).filter(([key]) => key.startsWith('io.cadvisor.metric.prometheus'));
    expect(labels).toHaveLength(1);
    const [[key, configPath]] = labels;

    const runtime = finalStage(dockerfileOf(svc));
    const copy = copies(runtime).find((c) => c.destination === configPath);
    expect(copy?.from).toBeUndefined();
    expect(copy?.sources).toHaveLength(1);
    const source = copy?.sources[0] ?? '';
    expect(source).toMatch(/^infra\/cadvisor\/.+\.json$/);
    expect(repoFileExists(source)).toBe(true);
    // The image says the same, so a plain `docker run` is monitored too.
    expect(instructions(runtime, 'LABEL')).toContain(`${key}="${configPath}"`);
  });

  it.each(labelled)("%s's config points cAdvisor at the container's own /metrics port", (name) => {
    const svc = service(compose, name);
    const configPath = Object.entries(svc.labels ?? {}).find(([key]) => key.startsWith('io.cadvisor.metric.'))?.[1];
    const source = copies(finalStage(dockerfileOf(svc))).find((c) => c.destination === configPath)?.sources[0] ?? '';
    const config = JSON.parse(readRepoFile(source)) as CadvisorConfig;
    expect(config.endpoint.protocol).toBe('http');
    expect(config.endpoint.path).toBe('/metrics');
    expect(containerPorts(svc)).toContain(config.endpoint.port);
  });

  it('selects only metrics the functions really expose, on the route they serve', async () => {
    expect(`/${metricsFunction.route}`).toBe('/metrics');
    const config = JSON.parse(readRepoFile('infra/cadvisor/functions.json')) as CadvisorConfig;
    const exposed = await functionsMetricNames();
    expect(config.metrics_config?.length).toBeGreaterThan(0);
    for (const name of config.metrics_config ?? []) expect({ name, exposed: exposed.has(name) }).toEqual({ name, exposed: true });
    // The seed POC's three metrics are the ones dashboards already use.
    expect(config.metrics_config).toEqual(expect.arrayContaining(['webhook_requests_total', 'webhook_processing_time_seconds_count', 'webhook_payload_size_bytes']));
  });
});

describe('dashboard nginx', () => {
  const config = readRepoFile('infra/nginx/dashboard.conf');

  it('listens on the port compose publishes', () => {
    expect(/^\s*listen\s+(\d+);/m.exec(config)?.[1]).toBe(String(containerPorts(service(compose, 'dashboard'))[0]));
  });

  it('proxies /events to the bridge unbuffered, uncached, uncompressed and kept open', () => {
    const events = directives(locationBlock(config, '/events'));
    expect(events.get('proxy_pass')).toEqual([`http://sse-bridge:${containerPorts(service(compose, 'sse-bridge'))[0]}`]);
    expect(events.get('proxy_buffering')).toEqual(['off']);
    expect(events.get('proxy_cache')).toEqual(['off']);
    expect(events.get('gzip')).toEqual(['off']);
    expect(events.get('proxy_http_version')).toEqual(['1.1']);
    expect(events.get('proxy_read_timeout')).toEqual(['1h']);
    expect(events.get('proxy_set_header')).toEqual(expect.arrayContaining(['Connection ""', 'Last-Event-ID $petzi_last_event_id']));
    // The header wins; a fresh EventSource's ?lastEventId= is the fallback.
    expect(config).toMatch(/map \$http_last_event_id \$petzi_last_event_id \{\s*""\s+\$arg_lastEventId;\s*default\s+\$http_last_event_id;\s*\}/);
  });

  it('proxies /api/ to the functions container port', () => {
    const api = directives(locationBlock(config, '/api/'));
    expect(api.get('proxy_pass')).toEqual([`http://functions:${containerPorts(service(compose, 'functions'))[0]}`]);
  });
});

describe('Prometheus', () => {
  const prometheus = parse(readRepoFile('infra/prometheus/prometheus.yml')) as {
    scrape_configs: Array<{ job_name: string; metrics_path?: string; static_configs: Array<{ targets: string[] }> }>;
  };

  it('scrapes the functions, the bridge and cAdvisor', () => {
    expect(prometheus.scrape_configs.map((job) => job.job_name).sort()).toEqual(['cadvisor', 'functions', 'sse-bridge']);
  });

  it('targets compose service names on the ports their containers listen on', () => {
    const targets = prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(['cadvisor:8080', 'functions:80', 'sse-bridge:5001']);
    for (const target of targets) {
      const [host, port] = target.split(':');
      expect(containerPorts(service(compose, host))).toContain(Number(port));
    }
    for (const job of prometheus.scrape_configs) expect(job.metrics_path ?? '/metrics').toBe('/metrics');
  });
});
