// A ReplicaSet as the ReplicaSet and Deployment controllers read it, validated from the wire
// object: spec (replicas, minReadySeconds, selector, template), status counts and metadata.
import { asJson, numberAt, objectAt, stringMapAt } from '../../../api/json.js';
import { selectorFromLabelSelectorObject, type LabelSelector } from '../../../api/labels.js';
import type { JsonObject, KubeObject, OwnerReference } from '../../../api/object.js';
import { ownerRefsOf, parseTime } from './pods.js';

export interface ReplicaSetView {
  readonly obj: KubeObject;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly generation: number;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly owners: OwnerReference[];
  readonly deleting: boolean;
  readonly created: number | undefined;
  readonly replicas: number;
  readonly minReadySeconds: number;
  readonly selector: LabelSelector;
  readonly template: JsonObject;
  readonly templateLabels: Record<string, string>;
  readonly status: {
    replicas: number;
    fullyLabeledReplicas: number;
    readyReplicas: number;
    availableReplicas: number;
    observedGeneration: number;
  };
}

/** Undefined for an object the controllers cannot work with (no name, uid or valid selector). */
export function replicaSetView(obj: KubeObject): ReplicaSetView | undefined {
  const m = obj.metadata;
  if (typeof m.name !== 'string' || typeof m.namespace !== 'string' || typeof m.uid !== 'string') return undefined;
  const json = asJson(obj);
  const spec = objectAt(json, 'spec');
  const status = objectAt(json, 'status');
  const template = objectAt(spec, 'template') ?? {};
  let selector: LabelSelector;
  try {
    selector = selectorFromLabelSelectorObject(spec?.['selector']);
  } catch {
    return undefined;
  }
  const meta = objectAt(json, 'metadata');
  return {
    obj,
    namespace: m.namespace,
    name: m.name,
    uid: m.uid,
    generation: typeof m.generation === 'number' ? m.generation : 0,
    labels: stringMapAt(meta, 'labels') ?? {},
    annotations: stringMapAt(meta, 'annotations') ?? {},
    owners: ownerRefsOf(obj),
    deleting: typeof m.deletionTimestamp === 'string',
    created: parseTime(m.creationTimestamp),
    replicas: numberAt(spec, 'replicas') ?? 1,
    minReadySeconds: numberAt(spec, 'minReadySeconds') ?? 0,
    selector,
    template,
    templateLabels: stringMapAt(objectAt(template, 'metadata'), 'labels') ?? {},
    status: {
      replicas: numberAt(status, 'replicas') ?? 0,
      fullyLabeledReplicas: numberAt(status, 'fullyLabeledReplicas') ?? 0,
      readyReplicas: numberAt(status, 'readyReplicas') ?? 0,
      availableReplicas: numberAt(status, 'availableReplicas') ?? 0,
      observedGeneration: numberAt(status, 'observedGeneration') ?? 0,
    },
  };
}

export function replicaSetPath(namespace: string, name?: string): string {
  const base = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/replicasets`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

export function podPath(namespace: string, name?: string): string {
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

