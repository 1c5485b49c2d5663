import { parse } from 'yaml';
import { Registry } from 'prom-client';
import { createPipelineMetrics } from '../../functions/src';
import { metricsFunction } from '../../functions/src/functions/metrics';
import { copies, instructions } from './dockerfile';
import { directives, locationBlock, mapEntries } from './nginx';
import { decodeCadvisorConfig } from './cadvisorConfig';
import {
  dockerfileOf,
  finalStage,
  listeningPorts,
  loadCompose,
  nginxConfigOf,
  readRepoFile,
  repoFileExists,
  service,
} from './repo';

/** How the containers find each other: cAdvisor labels, nginx upstreams, Prometheus targets. */
const compose = loadCompose();

/** Sample names the functions' /metrics can expose (histograms add _bucket, _sum, _count). */
async function functionsMetricNames(): Promise<Set<string>> {
  const registry = new Registry();
  createPipelineMetrics(registry, { processMetrics: false });
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (metric.type.toString() === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

describe('cAdvisor application metrics', () => {
  const labelled = ['functions', 'sse-bridge'];

  it.each(labelled)(
    '%s carries an io.cadvisor.metric.prometheus label naming a config baked into its image',
    (name) => {
      const svc = service(compose, name);
      const labels = Object.entries(svc.labels ?? {}).filter(([key]) =>
        key.startsWith('io.cadvisor.metric.prometheus'),
      );
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
    },
  );

  it.each(labelled)("%s's config points cAdvisor at the container's own /metrics port", (name) => {
    const svc = service(compose, name);
    const configPath = Object.entries(svc.labels ?? {}).find(([key]) => key.startsWith('io.cadvisor.metric.'))?.[1];
    const source = copies(finalStage(dockerfileOf(svc))).find((c) => c.destination === configPath)?.sources[0] ?? '';
    const config = decodeCadvisorConfig(readRepoFile(source));
    expect(config.endpoint.protocol).toBe('http');
    expect(config.endpoint.path).toBe('/metrics');
    expect(listeningPorts(svc)).toContain(config.endpoint.port);
  });

  it.each(labelled)("%s's config decodes as cAdvisor decodes it, polling every 15 s", (name) => {
    const svc = service(compose, name);
    const configPath = Object.entries(svc.labels ?? {}).find(([key]) => key.startsWith('io.cadvisor.metric.'))?.[1];
    const source = copies(finalStage(dockerfileOf(svc))).find((c) => c.destination === configPath)?.sources[0] ?? '';
    expect(decodeCadvisorConfig(readRepoFile(source)).pollingFrequencyNs).toBe(15_000_000_000);
  });

  it('selects only metrics the functions really expose, on the route they serve', async () => {
    expect(`/${metricsFunction.route}`).toBe('/metrics');
    const config = decodeCadvisorConfig(readRepoFile('infra/cadvisor/functions.json'));
    const exposed = await functionsMetricNames();
    expect(config.metricsConfig.length).toBeGreaterThan(0);
    for (const name of config.metricsConfig)
      expect({ name, exposed: exposed.has(name) }).toEqual({ name, exposed: true });
    // The seed POC's three metrics are the ones dashboards already use.
    expect(config.metricsConfig).toEqual(
      expect.arrayContaining([
        'webhook_requests_total',
        'webhook_processing_time_seconds_count',
        'webhook_payload_size_bytes',
      ]),
    );
  });
});

/** The variable a location proxies to, and the URL it is set to in that block. */
function proxiedUrl(block: string): string | undefined {
  const d = directives(block);
  const target = d.get('proxy_pass')?.[0] ?? '';
  if (!target.startsWith('$')) return target;
  const set = (d.get('set') ?? []).map((v) => v.split(/\s+/)).find(([name]) => name === target);
  return set?.[1];
}

function expectSseProxy(block: string, bridgePort: number): void {
  const events = directives(block);
  expect(proxiedUrl(block)).toBe(`http://sse-bridge:${bridgePort}`);
  expect(events.get('proxy_buffering')).toEqual(['off']);
  expect(events.get('proxy_cache')).toEqual(['off']);
  expect(events.get('gzip')).toEqual(['off']);
  expect(events.get('proxy_http_version')).toEqual(['1.1']);
  expect(events.get('proxy_read_timeout')).toEqual(['1h']);
  expect(events.get('proxy_set_header')).toEqual(expect.arrayContaining(['Connection ""']));
}

describe('nginx (dashboard and gateway)', () => {
  const dashboard = readRepoFile('infra/nginx/dashboard.conf');
  const gateway = readRepoFile('infra/nginx/gateway.conf');
  const bridgePort = 5001;
  const functionsPort = 80;

  it('the dashboard and the gateway run the configs compose and the image give them', () => {
    expect(nginxConfigOf(service(compose, 'dashboard'))).toBe(dashboard);
    expect(nginxConfigOf(service(compose, 'gateway'))).toBe(gateway);
  });

  it('listens on the ports compose publishes, through the snippets start.sh writes for PETZI_NGINX_PORTS', () => {
    const dashboardPorts = portsOf('dashboard');
    expect(dashboardPorts).toEqual([8080]);
    expect(
      [...dashboard.matchAll(/include \/etc\/nginx\/petzi\/run\/listen-(\d+)\.conf;/g)].map((m) => Number(m[1])),
    ).toEqual(dashboardPorts);
    // start.sh defaults to 8080, the dashboard's port; the gateway names its two.
    expect(readRepoFile('infra/nginx/start.sh')).toContain('${PETZI_NGINX_PORTS:-8080}');
    const gatewayPorts = portsOf('gateway');
    expect(service(compose, 'gateway').environment?.PETZI_NGINX_PORTS).toBe(gatewayPorts.join(' '));
    expect(
      [...gateway.matchAll(/include \/etc\/nginx\/petzi\/run\/listen-(\d+)\.conf;/g)].map((m) => Number(m[1])),
    ).toEqual(gatewayPorts);
  });

  it('includes the TLS and HSTS snippets in every public server, and repeats HSTS where a location adds headers', () => {
    for (const config of [dashboard, gateway]) {
      const publicServers = config
        .split(/^server \{/m)
        .slice(1)
        .filter((block) => block.includes('listen-'));
      expect(publicServers.length).toBeGreaterThan(0);
      for (const block of publicServers) {
        expect(block).toContain('include /etc/nginx/petzi/run/tls.conf;');
        expect(block).toContain('include /etc/nginx/petzi/run/hsts.conf;');
      }
    }
    expect(locationBlock(dashboard, '/assets/')).toContain('include /etc/nginx/petzi/run/hsts.conf;');
  });

  it("resolves the back ends through Docker's DNS per request, so requests spread over every replica", () => {
    for (const config of [dashboard, gateway]) expect(config).toMatch(/^resolver 127\.0\.0\.11 valid=\d+s ipv6=off;$/m);
  });

  it('proxies /events to the bridges unbuffered, uncached, uncompressed and kept open, with Last-Event-ID', () => {
    const events = locationBlock(dashboard, '/events');
    expectSseProxy(events, bridgePort);
    expect(directives(events).get('proxy_set_header')).toEqual(
      expect.arrayContaining(['Last-Event-ID $petzi_last_event_id']),
    );
    // The header wins; a fresh EventSource's ?lastEventId= is the fallback.
    expect(dashboard).toMatch(
      /map \$http_last_event_id \$petzi_last_event_id \{\s*""\s+\$arg_lastEventId;\s*default\s+\$http_last_event_id;\s*\}/,
    );
    expect(listeningPorts(service(compose, 'sse-bridge'))).toContain(bridgePort);
  });

  it('proxies /api/ to the functions container port (the allowed routes of its map)', () => {
    expect(directives(locationBlock(dashboard, '/api/')).get('proxy_pass')).toEqual(['$petzi_api_upstream']);
    const upstreams = mapEntries(dashboard, '$uri', '$petzi_api_upstream').filter(([pattern]) => pattern !== 'default');
    expect(upstreams.length).toBeGreaterThan(0);
    for (const [pattern, upstream] of upstreams)
      expect({ pattern, upstream }).toEqual({ pattern, upstream: `http://functions:${functionsPort}` });
    expect(listeningPorts(service(compose, 'functions'))).toContain(functionsPort);
  });

  it('passes a webhook a replica received on to another only on /webhook (deduplicated by its body), never another route', () => {
    const [, webhookServer] = gateway.split(/^server \{/m).slice(1);
    expect(directives(locationBlock(webhookServer, '/webhook')).get('proxy_next_upstream')).toEqual([
      'error timeout non_idempotent',
    ]);
    expect(directives(locationBlock(webhookServer, '/')).get('proxy_next_upstream')).toEqual(['error timeout']);
    // No replica took it: the 503 with Retry-After, never nginx's 502 or 504 page.
    expect(webhookServer).toMatch(/error_page 502 504 = @unavailable;/);
    expect(locationBlock(webhookServer, '@unavailable')).toMatch(
      /add_header Retry-After \d+ always;[\s\S]*return 503 /,
    );
  });

  it('the gateway sends every path on 5000 to the functions and every path on 5001 to the bridges', () => {
    const [, webhookServer, bridgeServer] = gateway.split(/^server \{/m).slice(1);
    expect(webhookServer).toContain('listen-5000.conf');
    expect(proxiedUrl(locationBlock(webhookServer, '/'))).toBe(`http://functions:${functionsPort}`);
    expect(proxiedUrl(locationBlock(webhookServer, '/webhook'))).toBe(`http://functions:${functionsPort}`);
    expect(bridgeServer).toContain('listen-5001.conf');
    expectSseProxy(locationBlock(bridgeServer, '/'), bridgePort);
  });
});

function portsOf(name: string): number[] {
  return (service(compose, name).ports ?? []).map((p) => Number(p.split(':').pop()));
}

describe('Prometheus', () => {
  interface Job {
    job_name: string;
    metrics_path?: string;
    static_configs?: Array<{ targets: string[] }>;
    dns_sd_configs?: Array<{ names: string[]; type: string; port: number }>;
  }
  const prometheus = parse(readRepoFile('infra/prometheus/prometheus.yml')) as { scrape_configs: Job[] };
  const job = (name: string): Job => {
    const found = prometheus.scrape_configs.find((j) => j.job_name === name);
    if (!found) throw new Error(`no job ${name}`);
    return found;
  };

  it('scrapes the functions, the bridge, RabbitMQ and cAdvisor', () => {
    expect(prometheus.scrape_configs.map((j) => j.job_name).sort()).toEqual([
      'cadvisor',
      'functions',
      'rabbitmq',
      'sse-bridge',
    ]);
  });

  it('scrapes every functions and bridge replica through DNS, on the port their containers listen on', () => {
    for (const [name, port] of [
      ['functions', 80],
      ['sse-bridge', 5001],
    ] as const) {
      expect(job(name).dns_sd_configs).toEqual([expect.objectContaining({ names: [name], type: 'A', port })]);
      expect(listeningPorts(service(compose, name))).toContain(port);
      expect(job(name).metrics_path).toBe('/metrics');
    }
  });

  it('targets cAdvisor and RabbitMQ by service name', () => {
    expect(job('cadvisor').static_configs).toEqual([{ targets: ['cadvisor:8080'] }]);
    expect(listeningPorts(service(compose, 'cadvisor'))).toContain(8080);
    // RabbitMQ's Prometheus plugin (enabled in the official image) on 15692; per-queue depths.
    expect(job('rabbitmq').static_configs).toEqual([{ targets: ['rabbitmq:15692'] }]);
    expect(job('rabbitmq').metrics_path).toBe('/metrics/detailed');
  });
});
