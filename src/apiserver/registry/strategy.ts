// Per-kind rules for create and update, as upstream's registry strategies: which status a new
// object starts with, what an update of the main resource may not touch (status), what a status
// update may not touch (everything else), when generation moves, which kinds PUT may create.
import { isJsonObject, type JsonValue, type KubeObject } from '../../api/object.js';
import { hasStatusSubresource, type ResourceInfo } from '../resources.js';

/** Kinds whose PUT creates a missing object, as upstream's AllowCreateOnUpdate. */
const CREATE_ON_UPDATE = new Set(['endpoints', 'events', 'leases']);

export function allowCreateOnUpdate(r: ResourceInfo): boolean {
  return CREATE_ON_UPDATE.has(r.resource);
}

/** Objects with a spec carry metadata.generation, bumped on every spec change. */
function tracksGeneration(obj: KubeObject): boolean {
  return obj.spec !== undefined;
}

/** The status an object starts with; undefined keeps what the client sent (nodes register with theirs). */
function initialStatus(r: ResourceInfo): JsonValue | undefined {
  switch (r.resource) {
    case 'pods':
      return { phase: 'Pending' };
    case 'services':
      return { loadBalancer: {} };
    case 'namespaces':
      return { phase: 'Active' };
    case 'deployments':
    case 'replicasets':
      return {};
    default:
      return undefined;
  }
}

/** Mutates a new object before defaulting and validation. */
export function prepareForCreate(r: ResourceInfo, obj: KubeObject): void {
  const status = initialStatus(r);
  if (status !== undefined) obj.status = status;
  if (r.resource === 'namespaces') {
    const spec = isJsonObject(obj.spec) ? obj.spec : {};
    spec.finalizers = ['kubernetes'];
    obj.spec = spec;
  }
  delete obj.metadata.deletionTimestamp;
  delete obj.metadata.deletionGracePeriodSeconds;
  if (tracksGeneration(obj)) obj.metadata.generation = 1;
  else delete obj.metadata.generation;
}

/** What an update may change: the main resource, its status, a namespace's finalizers, a pod's node. */
export type UpdateTarget = '' | 'status' | 'finalize' | 'binding';

/**
 * The object to store for an update of `target` (see UpdateTarget): the parts the target may not change come from `old`; metadata that
 * only the server sets comes from `old` too. Returns a new object.
 */
export function prepareForUpdate(r: ResourceInfo, incoming: KubeObject, old: KubeObject, target: UpdateTarget): KubeObject {
  let next: KubeObject;
  if (target === 'status') {
    next = { ...structuredClone(old), status: incoming.status ?? null };
    if (incoming.status === undefined) delete next.status;
  } else if (target === 'binding') {
    // Binding sets what the scheduler decides (node, annotations, the PodScheduled condition) and
    // nothing else, bypassing pod update validation as upstream's BindingREST does.
    next = structuredClone(old);
    const spec = isJsonObject(next.spec) ? next.spec : {};
    const incomingSpec = isJsonObject(incoming.spec) ? incoming.spec : {};
    if (incomingSpec.nodeName !== undefined) spec.nodeName = incomingSpec.nodeName;
    next.spec = spec;
    if (incoming.metadata.annotations !== undefined) next.metadata.annotations = incoming.metadata.annotations;
    if (incoming.status !== undefined) next.status = incoming.status;
  } else if (target === 'finalize') {
    next = structuredClone(old);
    const spec = isJsonObject(next.spec) ? next.spec : {};
    const incomingSpec = isJsonObject(incoming.spec) ? incoming.spec : {};
    spec.finalizers = incomingSpec.finalizers ?? [];
    next.spec = spec;
  } else {
    next = { ...incoming, metadata: { ...incoming.metadata } };
    if (hasStatusSubresource(r)) {
      if (old.status === undefined) delete next.status;
      else next.status = structuredClone(old.status);
    }
    if (r.resource === 'namespaces' && isJsonObject(old.spec)) {
      const spec = isJsonObject(next.spec) ? { ...next.spec } : {};
      if (old.spec.finalizers === undefined) delete spec.finalizers;
      else spec.finalizers = old.spec.finalizers;
      next.spec = spec;
    }
  }
  keepServerMetadata(next, old);
  if (tracksGeneration(next) && JSON.stringify(next.spec) !== JSON.stringify(old.spec)) {
    next.metadata.generation = (old.metadata.generation ?? 0) + 1;
  }
  return next;
}

function keepServerMetadata(next: KubeObject, old: KubeObject): void {
  const m = next.metadata;
  const o = old.metadata;
  m.name = o.name;
  if (o.namespace === undefined) delete m.namespace;
  else m.namespace = o.namespace;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  setOrDelete(m, 'deletionTimestamp', o.deletionTimestamp);
  setOrDelete(m, 'deletionGracePeriodSeconds', o.deletionGracePeriodSeconds);
  setOrDelete(m, 'generation', o.generation);
  setOrDelete(m, 'generateName', o.generateName);
}

function setOrDelete<K extends keyof KubeObject['metadata']>(m: KubeObject['metadata'], key: K, value: KubeObject['metadata'][K]): void {
  if (value === undefined) delete m[key];
  else m[key] = value;
}
