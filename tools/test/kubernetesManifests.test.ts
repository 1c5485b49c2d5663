import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Secret } from 'kubernetes-models/v1/Secret';
import { agreementErrors, generatedSecrets, type Sources } from '../kubernetes/agreement';
import {
  KUSTOMIZATION,
  loadManifests,
  manifestsOf,
  parseYamlDocuments,
  schemaErrors,
  type Manifest,
} from '../kubernetes/manifests';

const ROOT = path.resolve(__dirname, '..', '..');
const DIR = path.join(ROOT, 'infra', 'kubernetes');
const firstDocument = (rel: string) => parseYamlDocuments(rel, readFileSync(path.join(ROOT, rel), 'utf8'))[0];

const manifests = loadManifests(DIR);
const files = [...new Set(manifests.map((m) => m.file))];
const sources: Sources = {
  compose: firstDocument('docker-compose.yml'),
  stack: firstDocument('infra/swarm/stack.yml'),
  gatewayConf: readFileSync(path.join(ROOT, 'infra/nginx/gateway.conf'), 'utf8'),
  hostJson: JSON.parse(readFileSync(path.join(ROOT, 'host.json'), 'utf8')) as Record<string, unknown>,
  kustomization: firstDocument(`infra/kubernetes/${KUSTOMIZATION}`),
};

/** A step into parsed YAML: a key, an index, or the entry of a list with that name (env, ports). */
type Step = string | number | { name: string };
type Edit = { set: unknown } | { push: unknown } | 'delete' | 'pop';

function child(value: unknown, step: Step): unknown {
  if (typeof step === 'object')
    return Array.isArray(value)
      ? value.find((entry: unknown) => (entry as { name?: unknown }).name === step.name)
      : undefined;
  return typeof value === 'object' && value !== null ? (value as Record<string | number, unknown>)[step] : undefined;
}

/** A copy of the manifests with one value of one object changed. */
function changed(kind: string, name: string, steps: Step[], edit: Edit): Manifest[] {
  const copy = structuredClone(manifests);
  const target = copy.find((m) => m.kind === kind && m.name === name);
  if (!target) throw new Error(`no ${kind}/${name} in infra/kubernetes`);
  const parent = steps.slice(0, -1).reduce<unknown>(child, target.body);
  const last = steps[steps.length - 1];
  if (edit === 'pop' || (typeof edit === 'object' && 'push' in edit)) {
    const list = child(parent, last);
    if (!Array.isArray(list)) throw new Error(`${kind}/${name} has no list at ${JSON.stringify(steps)}`);
    if (edit === 'pop') list.pop();
    else list.push(edit.push);
  } else {
    if (typeof last === 'object' || typeof parent !== 'object' || parent === null)
      throw new Error(`${kind}/${name}: cannot edit ${JSON.stringify(steps)}`);
    const holder = parent as Record<string | number, unknown>;
    if (edit === 'delete') delete holder[last];
    else holder[last] = edit.set;
  }
  return copy;
}

const CONTAINER: Step[] = ['spec', 'template', 'spec', 'containers', 0];
const env = (name: string): Step[] => [...CONTAINER, 'env', { name }];
const ANNOTATIONS: Step[] = ['metadata', 'annotations'];
const TRIGGER: Step[] = ['spec', 'triggers', 0];

describe('infra/kubernetes', () => {
  it('holds the Deployments, their Services, scalers, disruption budgets and Ingresses', () => {
    expect(manifests.map((m) => `${m.kind}/${m.name}`).sort()).toEqual([
      'Deployment/functions',
      'Deployment/relay',
      'Deployment/sse-bridge',
      'HorizontalPodAutoscaler/functions',
      'Ingress/functions',
      'Ingress/sse-bridge',
      'Ingress/webhook',
      'Namespace/petzi',
      'PodDisruptionBudget/functions',
      'PodDisruptionBudget/relay',
      'PodDisruptionBudget/sse-bridge',
      'ScaledObject/relay',
      'Service/functions',
      'Service/relay',
      'Service/sse-bridge',
      'TriggerAuthentication/rabbitmq',
    ]);
  });

  it.each(manifests.map((m) => [`${m.file} ${m.kind}/${m.name}`, m] as const))(
    '%s is valid against its Kubernetes or KEDA schema',
    (_, manifest) => {
      expect(schemaErrors(manifest)).toEqual([]);
    },
  );

  it('generates a Secret the Secret schema accepts, with every key the manifests read', () => {
    const generated = generatedSecrets(sources.kustomization);
    expect([...generated.keys()]).toEqual(['petzi-secrets']);
    const keys = [...(generated.get('petzi-secrets') ?? [])];
    expect(keys.sort()).toEqual([
      'azure_webjobs_storage',
      'database_url',
      'petzi_admin_key',
      'petzi_api_key',
      'petzi_webhook_secret',
      'rabbitmq_url',
    ]);
    const data = Object.fromEntries(keys.map((k) => [k, Buffer.from('value').toString('base64')]));
    expect(() => new Secret({ metadata: { name: 'petzi-secrets' }, type: 'Opaque', data }).validate()).not.toThrow();
  });

  it('agrees with docker-compose.yml, the swarm stack, gateway.conf, host.json and the declared functions', () => {
    expect(agreementErrors(manifests, sources, files)).toEqual([]);
  });
});

describe('the manifests check refuses', () => {
  it.each<[string, string, string, Step[], Edit, string]>([
    [
      'a replica count written as a string',
      'Deployment',
      'functions',
      ['spec', 'replicas'],
      { set: '3' },
      'data/spec/replicas must be integer',
    ],
    [
      'a container without a name',
      'Deployment',
      'sse-bridge',
      [...CONTAINER, 'name'],
      'delete',
      'must have required property name',
    ],
    [
      'a probe port that is a list',
      'Deployment',
      'relay',
      [...CONTAINER, 'readinessProbe', 'httpGet', 'port'],
      { set: [80] },
      'readinessProbe/httpGet/port',
    ],
    [
      'a ScaledObject without its target',
      'ScaledObject',
      'relay',
      ['spec', 'scaleTargetRef'],
      'delete',
      'must have required property scaleTargetRef',
    ],
    [
      'a KEDA trigger value that is a number',
      'ScaledObject',
      'relay',
      [...TRIGGER, 'metadata', 'value'],
      { set: 500 },
      'metadata/value must be string',
    ],
    [
      'a TriggerAuthentication secret without its key',
      'TriggerAuthentication',
      'rabbitmq',
      ['spec', 'secretTargetRef', 0, 'key'],
      'delete',
      'must have required property key',
    ],
    [
      'an Ingress path without its pathType',
      'Ingress',
      'sse-bridge',
      ['spec', 'rules', 0, 'http', 'paths', 0, 'pathType'],
      'delete',
      'must have required property pathType',
    ],
    [
      'an HPA metric without its type',
      'HorizontalPodAutoscaler',
      'functions',
      ['spec', 'metrics', 0, 'type'],
      'delete',
      'must have required property type',
    ],
  ])('%s', (_, kind, name, steps, edit, message) => {
    const broken = changed(kind, name, steps, edit).find((m) => m.kind === kind && m.name === name) as Manifest;
    expect(schemaErrors(broken).join('\n')).toContain(message);
  });

  it('an object of an apiVersion or kind it has no schema for', () => {
    const [old] = manifestsOf(
      'old.yaml',
      'apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: { name: functions }\n',
    );
    expect(schemaErrors(old)).toEqual([
      expect.stringContaining(
        'old.yaml Deployment/functions: no schema for apiVersion "apps/v1beta1" kind "Deployment"',
      ),
    ]);
  });

  it('YAML that does not parse, naming the file', () => {
    expect(() => manifestsOf('broken.yaml', 'kind: Service\nspec: [ports\n')).toThrow(/^broken\.yaml: /);
  });

  it('reads YAML as kubectl does: a leading zero is octal, yes is true', () => {
    expect(parseYamlDocuments('modes.yaml', 'defaultMode: 0400\nenabled: yes\n')).toEqual([
      { defaultMode: 256, enabled: true },
    ]);
  });

  const NGINX = 'nginx.ingress.kubernetes.io';
  it.each<[string, string, string, Step[], Edit, string]>([
    [
      'the relay scaled on another queue',
      'ScaledObject',
      'relay',
      [...TRIGGER, 'metadata', 'queueName'],
      { set: 'petzi.live' },
      'must scale on the queue length of petzi.relay',
    ],
    [
      'a scaler target other than a prefetch window',
      'ScaledObject',
      'relay',
      [...TRIGGER, 'metadata', 'value'],
      { set: '100' },
      "is not host.json's prefetchCount 500",
    ],
    [
      "a broker URL for KEDA other than the relay's",
      'TriggerAuthentication',
      'rabbitmq',
      ['spec', 'secretTargetRef', 0, 'key'],
      { set: 'database_url' },
      'from the Secret key the relay reads RABBITMQ_URL from',
    ],
    [
      'a readiness probe where the healthchecks do not look',
      'Deployment',
      'functions',
      [...CONTAINER, 'readinessProbe', 'httpGet', 'path'],
      { set: '/api/health' },
      'readiness probes /api/health',
    ],
    [
      "a bridge port other than compose's",
      'Deployment',
      'sse-bridge',
      [...CONTAINER, 'ports', 0, 'containerPort'],
      { set: 5002 },
      'has no containerPort 5001',
    ],
    [
      'a setting that differs from the swarm stack',
      'Deployment',
      'functions',
      [...env('PETZI_RELAY_QUEUE_TYPE'), 'value'],
      { set: 'classic' },
      'PETZI_RELAY_QUEUE_TYPE is "classic"',
    ],
    [
      'a setting the swarm stack does not have',
      'Deployment',
      'relay',
      [...CONTAINER, 'env'],
      { push: { name: 'PETZI_API_KEY', value: 'key' } },
      'sets PETZI_API_KEY, which the swarm stack does not',
    ],
    [
      'a secret file that no volume provides',
      'Deployment',
      'sse-bridge',
      ['spec', 'template', 'spec', 'volumes', 0, 'secret', 'items'],
      'pop',
      '/run/secrets/rabbitmq_url, which no secret volume provides',
    ],
    [
      'a secret key the kustomization does not generate',
      'Deployment',
      'relay',
      [...env('AzureWebJobsStorage'), 'valueFrom', 'secretKeyRef', 'key'],
      { set: 'storage' },
      'petzi-secrets/storage, which the kustomization does not generate',
    ],
    [
      'a function the Azure Functions host would run and PETZI_FUNCTIONS does not',
      'Deployment',
      'relay',
      [...env('AzureWebJobs.webhook.Disabled'), 'value'],
      { set: 'false' },
      'the Azure Functions host would run webhook,',
    ],
    [
      'a disabled function that is not declared',
      'Deployment',
      'functions',
      [...env('AzureWebJobs.outbox.Disabled'), 'name'],
      { set: 'AzureWebJobs.outbx.Disabled' },
      'disables functions that are not declared: outbx',
    ],
    [
      "another image than the swarm stack's",
      'Deployment',
      'relay',
      [...CONTAINER, 'image'],
      { set: 'petzi/sse-bridge:latest' },
      'runs petzi/sse-bridge:latest, the swarm stack petzi/functions:latest',
    ],
    [
      "another grace period than the swarm stack's",
      'Deployment',
      'sse-bridge',
      ['spec', 'template', 'spec', 'terminationGracePeriodSeconds'],
      { set: 30 },
      'terminationGracePeriodSeconds 30',
    ],
    [
      "a minimum below the swarm stack's replicas",
      'HorizontalPodAutoscaler',
      'functions',
      ['spec', 'minReplicas'],
      { set: 1 },
      'needs one HorizontalPodAutoscaler with minReplicas 3',
    ],
    [
      'a Deployment with no disruption budget',
      'PodDisruptionBudget',
      'relay',
      ['spec', 'selector', 'matchLabels'],
      { set: { 'app.kubernetes.io/name': 'gone' } },
      'Deployment relay has no PodDisruptionBudget',
    ],
    [
      'a Service that selects no pods',
      'Service',
      'functions',
      ['spec', 'selector'],
      { set: { 'app.kubernetes.io/name': 'function' } },
      'Service functions selects 0 Deployments',
    ],
    [
      'a Service port the gateway does not use',
      'Service',
      'sse-bridge',
      ['spec', 'ports', 0, 'port'],
      { set: 80 },
      'Service sse-bridge has no port 5001',
    ],
    [
      'a buffered stream',
      'Ingress',
      'sse-bridge',
      [...ANNOTATIONS, `${NGINX}/proxy-buffering`],
      { set: 'on' },
      'Ingress sse-bridge: proxy-buffering is not "off" (gateway.conf\'s location / to sse-bridge: proxy_buffering off)',
    ],
    [
      "a stream read timeout shorter than the gateway's",
      'Ingress',
      'sse-bridge',
      [...ANNOTATIONS, `${NGINX}/proxy-read-timeout`],
      { set: '60' },
      'Ingress sse-bridge: proxy-read-timeout is not "3600" (gateway.conf\'s location / to sse-bridge: proxy_read_timeout 1h)',
    ],
    [
      "a body limit other than the gateway's",
      'Ingress',
      'functions',
      [...ANNOTATIONS, `${NGINX}/proxy-body-size`],
      { set: '1m' },
      "proxy-body-size is not gateway.conf's 4m",
    ],
    [
      'webhooks no longer passed on once a replica received them',
      'Ingress',
      'webhook',
      [...ANNOTATIONS, `${NGINX}/proxy-next-upstream`],
      { set: 'error timeout' },
      'Ingress webhook: proxy-next-upstream is not "error timeout non_idempotent" (gateway.conf\'s location = /webhook to functions',
    ],
    [
      'the webhook path as a prefix',
      'Ingress',
      'webhook',
      ['spec', 'rules', 0, 'http', 'paths', 0, 'pathType'],
      { set: 'Prefix' },
      "Ingress webhook: path /webhook is Prefix, not as gateway.conf's location = /webhook to functions",
    ],
    [
      'no Ingress for a gateway location',
      'Ingress',
      'webhook',
      ['spec', 'rules', 0, 'http', 'paths', 0, 'path'],
      { set: '/webhooks' },
      "gateway.conf's location = /webhook to functions: no one Ingress path /webhook to the functions Service",
    ],
    [
      'a stream that retries on a timeout no more',
      'Ingress',
      'sse-bridge',
      [...ANNOTATIONS, `${NGINX}/proxy-next-upstream`],
      { set: 'error' },
      'Ingress sse-bridge: proxy-next-upstream is not "error timeout"',
    ],
    [
      "a connect timeout other than the gateway's",
      'Ingress',
      'functions',
      [...ANNOTATIONS, `${NGINX}/proxy-connect-timeout`],
      { set: '5' },
      'Ingress functions: proxy-connect-timeout is not "2" (gateway.conf\'s location / to functions: proxy_connect_timeout 2s)',
    ],
  ])('%s', (_, kind, name, steps, edit, message) => {
    expect(agreementErrors(changed(kind, name, steps, edit), sources, files).join('\n')).toContain(message);
  });

  it('a kustomization that leaves a manifest file out', () => {
    const kustomization = { ...sources.kustomization, resources: files.filter((f) => f !== 'relay.yaml') };
    expect(agreementErrors(manifests, { ...sources, kustomization }, files).join('\n')).toContain(
      'are not the manifest files',
    );
  });
});
