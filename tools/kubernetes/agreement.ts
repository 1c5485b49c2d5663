import { declaredFunctions, RELAY_QUEUE } from '../../functions/src';
import { selectFunctions } from '../../host/src/functionSelection';
import type { Manifest } from './manifests';

/**
 * What the Kubernetes manifests must agree with: the compose file, the swarm stack, the gateway's
 * nginx config, host.json and the kustomization, each as parsed. The checks below say where the
 * manifests drift from them; none of them restates a value of its own.
 */
export interface Sources {
  compose: Record<string, unknown>;
  stack: Record<string, unknown>;
  gatewayConf: string;
  hostJson: Record<string, unknown>;
  kustomization: Record<string, unknown>;
}

/** Each Deployment and the swarm service (and compose service, when there is one) it stands for. */
export const COUNTERPARTS: Array<{
  deployment: string;
  swarm: string;
  compose?: string;
  scaler: 'hpa' | 'keda' | 'none';
}> = [
  { deployment: 'functions', swarm: 'functions', compose: 'functions', scaler: 'hpa' },
  { deployment: 'relay', swarm: 'relay', scaler: 'keda' },
  { deployment: 'sse-bridge', swarm: 'sse-bridge', compose: 'sse-bridge', scaler: 'none' },
];

const SECRETS_DIR = '/run/secrets/';
const DISABLED = /^AzureWebJobs\.(.+)\.Disabled$/;

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Follows a path of keys and indexes; undefined where it leads nowhere. */
function at(value: unknown, ...keys: Array<string | number>): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof key === 'number') current = Array.isArray(current) ? current[key] : undefined;
    else current = typeof current === 'object' && current !== null ? (current as Obj)[key] : undefined;
  }
  return current;
}

/** Compose's ${NAME:-default} and ${NAME} with the defaults the files give, as `docker compose config` would. */
function interpolate(text: string): string {
  return text.replace(
    /\$\{[A-Za-z_][A-Za-z0-9_]*(?::-([^}]*))?\}/g,
    (_, fallback: string | undefined) => fallback ?? '',
  );
}

function seconds(duration: unknown): number | undefined {
  const match = /^(\d+)s$/.exec(String(duration ?? ''));
  return match ? Number(match[1]) : undefined;
}

/** The port and path a compose/swarm healthcheck fetches, from its `node -e "fetch('...')"` command. */
function healthcheckUrl(service: Obj): { port: string; pathname: string } | undefined {
  const test = list(at(service, 'healthcheck', 'test'))
    .map(String)
    .join(' ');
  const match = /fetch\('([^']+)'\)/.exec(test);
  if (!match) return undefined;
  const url = new URL(match[1]);
  // URL leaves out the scheme's own port (80 for http), which the healthcheck spells out.
  return { port: url.port || (url.protocol === 'https:' ? '443' : '80'), pathname: url.pathname };
}

interface EnvVar {
  name: string;
  value?: string;
  secretKeyRef?: { name: string; key: string };
}

function envOf(container: Obj): EnvVar[] {
  return list(container.env).map((e) => {
    const ref = obj(at(e, 'valueFrom', 'secretKeyRef'));
    return {
      name: String(at(e, 'name')),
      value: at(e, 'value') === undefined ? undefined : String(at(e, 'value')),
      secretKeyRef: ref.name === undefined ? undefined : { name: String(ref.name), key: String(ref.key) },
    };
  });
}

/** The files a container sees under /run/secrets: file name -> the Secret and key behind it. */
function secretFiles(pod: Obj, container: Obj): Map<string, { secret: string; key: string }> {
  const files = new Map<string, { secret: string; key: string }>();
  for (const mount of list(container.volumeMounts)) {
    if (at(mount, 'mountPath') !== SECRETS_DIR.slice(0, -1)) continue;
    const volume = list(pod.volumes).find((v) => at(v, 'name') === at(mount, 'name'));
    const secret = String(at(volume, 'secret', 'secretName') ?? '');
    for (const item of list(at(volume, 'secret', 'items')))
      files.set(String(at(item, 'path')), { secret, key: String(at(item, 'key')) });
  }
  return files;
}

/** The generated Secret's name and keys (kustomize names each key after its file). */
export function generatedSecrets(kustomization: Obj): Map<string, Set<string>> {
  return new Map(
    list(kustomization.secretGenerator).map((g) => [
      String(at(g, 'name')),
      new Set(list(at(g, 'files')).map((f) => String(f).split('=')[0].split('/').pop() as string)),
    ]),
  );
}

/** The gateway's proxy settings and the ingress-nginx annotation that sets each (times in seconds). */
const ANNOTATION_OF: Record<string, string> = {
  proxy_connect_timeout: 'proxy-connect-timeout',
  proxy_next_upstream: 'proxy-next-upstream',
  proxy_next_upstream_tries: 'proxy-next-upstream-tries',
  proxy_next_upstream_timeout: 'proxy-next-upstream-timeout',
  proxy_read_timeout: 'proxy-read-timeout',
  proxy_send_timeout: 'proxy-send-timeout',
  proxy_buffering: 'proxy-buffering',
};

interface GatewayLocation {
  path: string;
  exact: boolean;
  service: string;
  port: string;
  directives: Record<string, string>;
}

/** Each location of gateway.conf that proxies to a service, with its proxy_* directives. */
export function gatewayLocations(conf: string): GatewayLocation[] {
  return [...conf.matchAll(/location (=\s*)?(\S+) \{([^}]*)\}/g)].flatMap(([, exact, path, body]) => {
    const upstream = /set \$\w+ http:\/\/([a-z0-9-]+):(\d+);/.exec(body);
    if (!upstream) return [];
    const directives = Object.fromEntries(
      [...body.matchAll(/^\s*(proxy_\w+) ([^;]+);/gm)].map(([, name, value]) => [name, value.trim()]),
    );
    return [{ path, exact: exact !== undefined, service: upstream[1], port: upstream[2], directives }];
  });
}

function labelsMatch(selector: unknown, labels: unknown): boolean {
  const wanted = Object.entries(obj(selector));
  return wanted.length > 0 && wanted.every(([k, v]) => obj(labels)[k] === v);
}

/** Every disagreement between the manifests and the sources, as a sentence; none when they agree. */
export function agreementErrors(manifests: Manifest[], sources: Sources, files: string[]): string[] {
  const errors: string[] = [];
  const find = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.name === name);
  const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
  const secrets = generatedSecrets(sources.kustomization);
  const hasSecretKey = (secret: string, key: string) => secrets.get(secret)?.has(key) === true;

  // The kustomization applies every manifest file, and nothing else.
  const resources = list(sources.kustomization.resources).map(String).sort();
  if (JSON.stringify(resources) !== JSON.stringify([...files].sort()))
    errors.push(
      `kustomization.yaml resources ${JSON.stringify(resources)} are not the manifest files ${JSON.stringify([...files].sort())}`,
    );

  for (const { deployment, swarm, compose, scaler } of COUNTERPARTS) {
    const where = `Deployment ${deployment}`;
    const dep = find('Deployment', deployment);
    const swarmService = obj(at(sources.stack, 'services', swarm));
    if (!dep) {
      errors.push(`${where} is missing (the swarm stack's service ${swarm})`);
      continue;
    }
    const pod = obj(at(dep.body, 'spec', 'template', 'spec'));
    const container = obj(list(pod.containers)[0]);
    const podLabels = at(dep.body, 'spec', 'template', 'metadata', 'labels');
    if (list(pod.containers).length !== 1)
      errors.push(`${where} has ${list(pod.containers).length} containers, not one`);
    if (!labelsMatch(at(dep.body, 'spec', 'selector', 'matchLabels'), podLabels))
      errors.push(`${where}: its selector does not match its pod labels`);

    if (container.image !== interpolate(String(swarmService.image)))
      errors.push(
        `${where} runs ${String(container.image)}, the swarm stack ${interpolate(String(swarmService.image))}`,
      );
    if (
      swarmService.command !== undefined &&
      JSON.stringify(container.command) !== JSON.stringify(swarmService.command)
    ) {
      errors.push(
        `${where} runs ${JSON.stringify(container.command)}, the swarm stack ${JSON.stringify(swarmService.command)}`,
      );
    }
    if (pod.terminationGracePeriodSeconds !== seconds(swarmService.stop_grace_period)) {
      errors.push(
        `${where} has terminationGracePeriodSeconds ${String(pod.terminationGracePeriodSeconds)}, the swarm stack stop_grace_period ${String(swarmService.stop_grace_period)}`,
      );
    }

    // Environment: the swarm service's names, values and secret files, and nothing else but the Functions host's list.
    const env = envOf(container);
    const files = secretFiles(pod, container);
    const swarmEnv = obj(swarmService.environment);
    for (const [name, raw] of Object.entries(swarmEnv)) {
      const value = interpolate(String(raw));
      const mine = env.find((e) => e.name === name);
      if (!mine) errors.push(`${where} lacks ${name} (the swarm stack sets it)`);
      else if (mine.secretKeyRef) {
        if (!hasSecretKey(mine.secretKeyRef.name, mine.secretKeyRef.key))
          errors.push(
            `${where}: ${name} reads ${mine.secretKeyRef.name}/${mine.secretKeyRef.key}, which the kustomization does not generate`,
          );
      } else if (mine.value !== value)
        errors.push(`${where}: ${name} is ${JSON.stringify(mine.value)}, the swarm stack's ${JSON.stringify(value)}`);
      if (name.endsWith('_FILE') && value.startsWith(SECRETS_DIR)) {
        const file = files.get(value.slice(SECRETS_DIR.length));
        if (!file) errors.push(`${where}: ${name} names ${value}, which no secret volume provides`);
        else if (!hasSecretKey(file.secret, file.key))
          errors.push(`${where}: ${value} is ${file.secret}/${file.key}, which the kustomization does not generate`);
      }
    }
    for (const e of env) {
      if (!(e.name in swarmEnv)) errors.push(`${where} sets ${e.name}, which the swarm stack does not`);
    }

    // The functions image: the project's host (PETZI_FUNCTIONS) and the Azure Functions host
    // (AzureWebJobs.<name>.Disabled) leave the same functions running.
    const selection = env.find((e) => e.name === 'PETZI_FUNCTIONS')?.value;
    const disabled = env.flatMap((e) => {
      const match = DISABLED.exec(e.name);
      return match && e.value === 'true' ? [match[1]] : [];
    });
    if (selection !== undefined) {
      const declared = declaredFunctions();
      const unknown = disabled.filter((name) => !declared.some((f) => f.name === name));
      if (unknown.length > 0) errors.push(`${where} disables functions that are not declared: ${unknown.join(', ')}`);
      const byAzureHost = declared.filter((f) => !disabled.includes(f.name)).map((f) => f.name);
      const byLocalHost = selectFunctions(declared, selection.split(',')).map((f) => f.name);
      if (JSON.stringify(byAzureHost) !== JSON.stringify(byLocalHost)) {
        errors.push(
          `${where}: the Azure Functions host would run ${byAzureHost.join(', ')}, PETZI_FUNCTIONS="${selection}" selects ${byLocalHost.join(', ')}`,
        );
      }
    } else if (disabled.length > 0) errors.push(`${where} disables functions but sets no PETZI_FUNCTIONS`);

    // Port and probe: where the compose and swarm healthchecks look.
    for (const [source, service] of [
      ['swarm stack', swarmService],
      ['compose file', compose === undefined ? undefined : obj(at(sources.compose, 'services', compose))],
    ] as const) {
      if (service === undefined) continue;
      const url = healthcheckUrl(service);
      if (!url) {
        errors.push(`${where}: the ${source}'s healthcheck fetches no URL to compare with`);
        continue;
      }
      const port = list(container.ports).find((p) => String(at(p, 'containerPort')) === url.port);
      if (!port) errors.push(`${where} has no containerPort ${url.port} (the ${source}'s healthcheck port)`);
      const probe = obj(at(container, 'readinessProbe', 'httpGet'));
      if (probe.path !== url.pathname)
        errors.push(`${where}: readiness probes ${String(probe.path)}, the ${source}'s healthcheck ${url.pathname}`);
      if (port && probe.port !== at(port, 'name') && String(probe.port) !== url.port)
        errors.push(`${where}: readiness probes port ${String(probe.port)}, not ${url.port}`);
    }

    for (const kind of ['cpu', 'memory']) {
      if (at(container, 'resources', 'requests', kind) === undefined) errors.push(`${where} requests no ${kind}`);
    }

    // Replicas: the swarm stack's count, held by whatever owns the count here.
    const replicas = at(swarmService, 'deploy', 'replicas');
    if (at(dep.body, 'spec', 'replicas') !== replicas)
      errors.push(
        `${where} starts ${String(at(dep.body, 'spec', 'replicas'))} replicas, the swarm stack ${String(replicas)}`,
      );
    const scaledBy = (kind: string) =>
      manifests.filter((m) => m.kind === kind && at(m.body, 'spec', 'scaleTargetRef', 'name') === deployment);
    const hpas = scaledBy('HorizontalPodAutoscaler');
    const scaledObjects = scaledBy('ScaledObject');
    if (scaler === 'hpa' && (hpas.length !== 1 || at(hpas[0].body, 'spec', 'minReplicas') !== replicas))
      errors.push(`${where} needs one HorizontalPodAutoscaler with minReplicas ${String(replicas)}`);
    if (
      scaler === 'keda' &&
      (scaledObjects.length !== 1 || at(scaledObjects[0].body, 'spec', 'minReplicaCount') !== replicas)
    ) {
      errors.push(`${where} needs one ScaledObject with minReplicaCount ${String(replicas)}`);
    }
    if (scaler !== 'hpa' && hpas.length > 0) errors.push(`${where} has an HPA it should not have`);
    if (scaler !== 'keda' && scaledObjects.length > 0) errors.push(`${where} has a ScaledObject it should not have`);

    if (
      !ofKind('PodDisruptionBudget').some((p) => labelsMatch(at(p.body, 'spec', 'selector', 'matchLabels'), podLabels))
    )
      errors.push(`${where} has no PodDisruptionBudget`);
    for (const ref of env.flatMap((e) => (e.secretKeyRef ? [e.secretKeyRef] : []))) {
      if (!hasSecretKey(ref.name, ref.key))
        errors.push(`${where} reads ${ref.name}/${ref.key}, which the kustomization does not generate`);
    }
  }

  // Services: each selects one Deployment's pods, on a port its container names, and the names
  // and ports the other containers use (the gateway's upstreams) exist.
  for (const service of ofKind('Service')) {
    const where = `Service ${service.name}`;
    const selected = ofKind('Deployment').filter((d) =>
      labelsMatch(at(service.body, 'spec', 'selector'), at(d.body, 'spec', 'template', 'metadata', 'labels')),
    );
    if (selected.length !== 1) {
      errors.push(`${where} selects ${selected.length} Deployments, not one`);
      continue;
    }
    const ports = list(at(selected[0].body, 'spec', 'template', 'spec', 'containers', 0, 'ports'));
    for (const p of list(at(service.body, 'spec', 'ports'))) {
      if (!ports.some((c) => at(c, 'name') === at(p, 'targetPort') || at(c, 'containerPort') === at(p, 'targetPort')))
        errors.push(`${where}: targetPort ${String(at(p, 'targetPort'))} is no port of ${selected[0].name}`);
    }
  }
  for (const [, name, port] of sources.gatewayConf.matchAll(/set \$\w+ http:\/\/([a-z0-9-]+):(\d+);/g)) {
    const service = find('Service', name);
    if (!service) errors.push(`no Service ${name} (gateway.conf proxies to ${name}:${port})`);
    else if (!list(at(service.body, 'spec', 'ports')).some((p) => String(at(p, 'port')) === port))
      errors.push(`Service ${name} has no port ${port} (gateway.conf proxies to ${name}:${port})`);
  }

  // The relay's scaler: petzi.relay's depth, one prefetch window per replica, the relay's own broker URL.
  for (const scaled of ofKind('ScaledObject')) {
    const where = `ScaledObject ${scaled.name}`;
    const trigger = obj(list(at(scaled.body, 'spec', 'triggers'))[0]);
    const metadata = obj(trigger.metadata);
    if (trigger.type !== 'rabbitmq' || metadata.queueName !== RELAY_QUEUE || metadata.mode !== 'QueueLength')
      errors.push(`${where} must scale on the queue length of ${RELAY_QUEUE}`);
    const prefetch = at(sources.hostJson, 'extensions', 'rabbitMQ', 'prefetchCount');
    if (metadata.value !== String(prefetch))
      errors.push(`${where}: value ${String(metadata.value)} is not host.json's prefetchCount ${String(prefetch)}`);
    const auth = find('TriggerAuthentication', String(at(trigger, 'authenticationRef', 'name')));
    const host = list(at(auth?.body, 'spec', 'secretTargetRef')).find((r) => at(r, 'parameter') === 'host');
    const target = find('Deployment', String(at(scaled.body, 'spec', 'scaleTargetRef', 'name')));
    const brokerFile =
      target &&
      envOf(obj(at(target.body, 'spec', 'template', 'spec', 'containers', 0))).find(
        (e) => e.name === 'RABBITMQ_URL_FILE',
      )?.value;
    const brokerSecret =
      target && brokerFile
        ? secretFiles(
            obj(at(target.body, 'spec', 'template', 'spec')),
            obj(at(target.body, 'spec', 'template', 'spec', 'containers', 0)),
          ).get(brokerFile.slice(SECRETS_DIR.length))
        : undefined;
    if (!host || !brokerSecret || at(host, 'name') !== brokerSecret.secret || at(host, 'key') !== brokerSecret.key) {
      errors.push(
        `${where}: its TriggerAuthentication must give "host" from the Secret key the relay reads RABBITMQ_URL from`,
      );
    }
  }

  // The Ingresses: each gateway location that proxies, at its path (the bridge's stream at
  // /events), with the same proxy settings and the gateway's body limit.
  const bodySize = /client_max_body_size (\S+);/.exec(sources.gatewayConf)?.[1];
  for (const location of gatewayLocations(sources.gatewayConf)) {
    const path = location.service === 'sse-bridge' ? '/events' : location.path;
    const where = `gateway.conf's location ${location.exact ? '= ' : ''}${location.path} to ${location.service}`;
    const routes = ofKind('Ingress').flatMap((ingress) =>
      list(at(ingress.body, 'spec', 'rules', 0, 'http', 'paths'))
        .filter((p) => at(p, 'path') === path)
        .map((p) => ({
          ingress,
          pathType: at(p, 'pathType'),
          service: at(p, 'backend', 'service', 'name'),
          port: at(p, 'backend', 'service', 'port'),
        })),
    );
    if (routes.length !== 1 || routes[0].service !== location.service) {
      errors.push(`${where}: no one Ingress path ${path} to the ${location.service} Service`);
      continue;
    }
    const route = routes[0];
    const name = `Ingress ${route.ingress.name}`;
    if (route.pathType !== (location.exact || path === '/events' ? 'Exact' : 'Prefix'))
      errors.push(`${name}: path ${path} is ${String(route.pathType)}, not as ${where}`);
    const service = find('Service', location.service);
    if (
      !list(at(service?.body, 'spec', 'ports')).some(
        (p) =>
          String(at(p, 'port')) === location.port &&
          (at(p, 'name') === at(route.port, 'name') || at(p, 'port') === at(route.port, 'number')),
      )
    ) {
      errors.push(`${name}: no port ${location.port} of Service ${location.service} (${where})`);
    }
    const annotations = obj(at(route.ingress.body, 'metadata', 'annotations'));
    for (const [directive, value] of Object.entries(location.directives)) {
      const annotation = ANNOTATION_OF[directive];
      if (annotation === undefined) continue;
      const wanted = /^\d+[sh]$/.test(value)
        ? String(Number(value.slice(0, -1)) * (value.endsWith('h') ? 3600 : 1))
        : value;
      if (annotations[`nginx.ingress.kubernetes.io/${annotation}`] !== wanted)
        errors.push(`${name}: ${annotation} is not ${JSON.stringify(wanted)} (${where}: ${directive} ${value})`);
    }
    if (location.service === 'functions' && annotations['nginx.ingress.kubernetes.io/proxy-body-size'] !== bodySize) {
      errors.push(`${name}: proxy-body-size is not gateway.conf's ${String(bodySize)}`);
    }
  }
  return errors;
}
