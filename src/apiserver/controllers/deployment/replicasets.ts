// The Deployment controller's writes to ReplicaSets: the new set built from the template (named
// <deployment>-<pod-template-hash>, the hash as label and in the selector), scaling with the
// desired/max-replicas annotations, and which existing set is "new" (its template equals the
// Deployment's, ignoring the hash label).
import type { KubeClient } from '../../../api/client/types.js';
import { cloneJson, jsonEqual } from '../../../api/json.js';
import { isJsonObject, type JsonObject, type KubeObject } from '../../../api/object.js';
import { controllerRef } from '../replicaset/ownership.js';
import { replicaSetPath, replicaSetView, type ReplicaSetView } from '../replicaset/replicaset-view.js';
import { ErrorCode, NodeletError } from '../../../base/errors.js';
import type { DeploymentView } from './deployment-view.js';
import { podTemplateHash } from './hash.js';
import { DESIRED_REPLICAS, MAX_REPLICAS, POD_TEMPLATE_HASH } from './revisions.js';

/** A template without the pod-template-hash label, for comparison (EqualIgnoreHash). */
function withoutHash(template: JsonObject): JsonObject {
  const t = cloneJson(template);
  const meta = t['metadata'];
  if (isJsonObject(meta)) {
    const labels = meta['labels'];
    if (isJsonObject(labels)) {
      delete labels[POD_TEMPLATE_HASH];
      if (Object.keys(labels).length === 0) delete meta['labels'];
    }
    if (Object.keys(meta).length === 0) delete t['metadata'];
  }
  return t;
}

export function equalIgnoreHash(a: JsonObject, b: JsonObject): boolean {
  return jsonEqual(withoutHash(a), withoutHash(b));
}

/** FindNewReplicaSet: the oldest set whose template is the Deployment's. */
export function findNewReplicaSet(d: DeploymentView, rss: ReplicaSetView[]): ReplicaSetView | undefined {
  const sorted = [...rss].sort((a, b) => (a.created ?? 0) - (b.created ?? 0) || (a.name < b.name ? -1 : 1));
  return sorted.find((r) => equalIgnoreHash(r.template, d.template));
}

/** The new ReplicaSet object to create for `d` with `replicas` and `annotations`. */
export function newReplicaSetObject(d: DeploymentView, replicas: number, annotations: Record<string, string>): KubeObject {
  const hash = podTemplateHash(d.template, d.status.collisionCount);
  const template = cloneJson(d.template);
  const tmeta = isJsonObject(template['metadata']) ? template['metadata'] : {};
  template['metadata'] = tmeta;
  const labels = isJsonObject(tmeta['labels']) ? tmeta['labels'] : {};
  labels[POD_TEMPLATE_HASH] = hash;
  tmeta['labels'] = labels;
  const selector = isJsonObject(d.selectorObject) ? cloneJson(d.selectorObject) : {};
  const matchLabels = isJsonObject(selector['matchLabels']) ? selector['matchLabels'] : {};
  matchLabels[POD_TEMPLATE_HASH] = hash;
  selector['matchLabels'] = matchLabels;
  const metadata = {
    name: `${d.name}-${hash}`,
    namespace: d.namespace,
    labels: { ...labelsOf(labels) },
    annotations,
    ownerReferences: [controllerRef({ apiVersion: 'apps/v1', kind: 'Deployment', name: d.name, uid: d.uid })],
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata,
    spec: { replicas, minReadySeconds: d.minReadySeconds, selector, template },
  } as unknown as KubeObject;
}

function labelsOf(o: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function desiredAnnotation(rs: ReplicaSetView): number | undefined {
  const v = rs.annotations[DESIRED_REPLICAS];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

export function maxReplicasAnnotation(rs: ReplicaSetView): number | undefined {
  const v = rs.annotations[MAX_REPLICAS];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/**
 * Writes `rs` back with spec.replicas = `replicas` and the replica annotations for `d`, plus
 * any `extra` annotations (PUT with the cached resourceVersion: a stale copy is a Conflict).
 * Resolves with the stored set, or undefined when nothing needed to change.
 */
export async function writeReplicaSet(
  client: KubeClient,
  rs: ReplicaSetView,
  change: { replicas?: number; annotations?: Record<string, string>; minReadySeconds?: number },
  signal: AbortSignal,
): Promise<ReplicaSetView | undefined> {
  const obj = structuredClone(rs.obj);
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  obj['spec'] = spec;
  let changed = false;
  if (change.replicas !== undefined && spec['replicas'] !== change.replicas) {
    spec['replicas'] = change.replicas;
    changed = true;
  }
  if (change.minReadySeconds !== undefined && (spec['minReadySeconds'] ?? 0) !== change.minReadySeconds) {
    spec['minReadySeconds'] = change.minReadySeconds;
    changed = true;
  }
  const annotations = { ...(obj.metadata.annotations ?? {}) };
  for (const [k, v] of Object.entries(change.annotations ?? {})) {
    if (annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  if (!changed) return undefined;
  obj.metadata.annotations = annotations;
  const stored = await client.update(replicaSetPath(rs.namespace, rs.name), obj, { signal });
  const view = replicaSetView(stored);
  if (view === undefined) throw new NodeletError(ErrorCode.Internal, `replicaset ${rs.namespace}/${rs.name}: the stored object is not readable`);
  return view;
}
