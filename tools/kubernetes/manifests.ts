import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Model } from '@kubernetes-models/base';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';

/** One object of a manifest file, as parsed (validated against its schema separately). */
export interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  name: string;
  body: Record<string, unknown>;
}

/** The kustomization's own file: kustomize's configuration, not an object sent to the cluster. */
export const KUSTOMIZATION = 'kustomization.yaml';

/**
 * The schemas the manifests may use, from the kubernetes-models packages (the Kubernetes OpenAPI
 * and KEDA's CRDs, compiled): an object of any other apiVersion and kind is refused.
 */
const MODELS: Record<string, new (data: never) => Model<unknown>> = {
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
};

export const KNOWN_KINDS = Object.keys(MODELS);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses YAML as kubectl does (YAML 1.1: `0400` is octal, `yes` a boolean), every document of it;
 * a syntax error or a document that is not a mapping is thrown, naming the file.
 */
export function parseYamlDocuments(file: string, text: string): Record<string, unknown>[] {
  return parseAllDocuments(text, { version: '1.1', merge: true })
    .filter((doc) => doc.contents !== null)
    .map((doc, i) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      const value: unknown = doc.toJS();
      if (!isRecord(value)) throw new Error(`${file}: document ${i + 1} is not a mapping`);
      return value;
    });
}

/** Every object of the given YAML text, with its apiVersion, kind and name read (not yet validated). */
export function manifestsOf(file: string, text: string): Manifest[] {
  return parseYamlDocuments(file, text).map((body, i) => {
    const metadata = isRecord(body.metadata) ? body.metadata : {};
    return {
      file,
      apiVersion: String(body.apiVersion ?? ''),
      kind: String(body.kind ?? ''),
      name: String(metadata.name ?? `#${i + 1}`),
      body,
    };
  });
}

/** Every object of every manifest file of a directory (the kustomization aside), file by file. */
export function loadManifests(dir: string): Manifest[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && f !== KUSTOMIZATION)
    .sort()
    .flatMap((f) => manifestsOf(f, readFileSync(path.join(dir, f), 'utf8')));
}

/** What the object's schema refuses in it, as "file kind/name: message" lines; none when it is valid. */
export function schemaErrors(manifest: Manifest): string[] {
  const where = `${manifest.file} ${manifest.kind}/${manifest.name}`;
  const model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
  if (model === undefined)
    return [
      `${where}: no schema for apiVersion "${manifest.apiVersion}" kind "${manifest.kind}" (known: ${KNOWN_KINDS.join(', ')})`,
    ];
  try {
    new model(manifest.body as never).validate();
    return [];
  } catch (error) {
    return [`${where}: ${error instanceof Error ? error.message : String(error)}`];
  }
}
