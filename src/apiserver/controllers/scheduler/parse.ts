// Pods and nodes from the wire into the scheduler's shapes (types.ts). Requests follow upstream's
// resource.PodRequests: the containers' sum, raised to the largest init container (plus the
// restartable sidecars started before it), sidecars added to the sum, then the pod overhead.
import { arrayAt, objectAt, objectsAt, stringAt, stringMapAt } from '../../../api/json.js';
import { isJsonObject, type JsonObject, type KubeObject } from '../../../api/object.js';
import { cpuToMilli, memoryToBytes } from '../../../api/quantity.js';
import type {
  HostPort, NodeSelectorOperator, NodeSelectorRequirement, NodeSelectorTerm, Resources, SchedNode, SchedPod, Taint, TaintEffect, Toleration,
} from './types.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
/** Upstream's defaults for scoring a container that requests nothing (schedutil.DefaultMilliCPURequest / DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

const OPERATORS = new Set<NodeSelectorOperator>(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']);
const EFFECTS = new Set<TaintEffect>(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

// Pods of one workload repeat the same few quantity strings; parsing them once keeps decisions cheap.
const quantityCache = new Map<string, number>();
function quantity(resource: string, text: string): number {
  const key = `${resource}=${text}`;
  let v = quantityCache.get(key);
  if (v === undefined) {
    try {
      v = resource === 'cpu' ? cpuToMilli(text) : memoryToBytes(text);
    } catch {
      v = 0; // the apiserver validates quantities; an unparsable one requests nothing
    }
    if (quantityCache.size > 10_000) quantityCache.clear();
    quantityCache.set(key, v);
  }
  return v;
}

export function emptyResources(): Resources {
  return { milliCpu: 0, memory: 0, scalar: {} };
}

/** A resource list (requests, allocatable) in scheduler units. */
export function resourcesFrom(list: Record<string, string> | undefined): Resources {
  const r = emptyResources();
  for (const [name, text] of Object.entries(list ?? {})) {
    if (name === 'cpu') r.milliCpu = quantity('cpu', text);
    else if (name === 'memory') r.memory = quantity('memory', text);
    else if (name !== 'pods') r.scalar[name] = quantity(name, text);
  }
  return r;
}

function add(a: Resources, b: Resources): Resources {
  const scalar = { ...a.scalar };
  for (const [k, v] of Object.entries(b.scalar)) scalar[k] = (scalar[k] ?? 0) + v;
  return { milliCpu: a.milliCpu + b.milliCpu, memory: a.memory + b.memory, scalar };
}

function max(a: Resources, b: Resources): Resources {
  const scalar = { ...a.scalar };
  for (const [k, v] of Object.entries(b.scalar)) scalar[k] = Math.max(scalar[k] ?? 0, v);
  return { milliCpu: Math.max(a.milliCpu, b.milliCpu), memory: Math.max(a.memory, b.memory), scalar };
}

/** A container's requests; limits stand in for requests it leaves out (the apiserver's defaulting). */
function containerRequests(c: JsonObject, nonZero: boolean): Resources {
  const res = objectAt(c, 'resources');
  const merged = { ...(stringMapAt(res, 'limits') ?? {}), ...(stringMapAt(res, 'requests') ?? {}) };
  const r = resourcesFrom(merged);
  if (nonZero) {
    if (merged.cpu === undefined) r.milliCpu = DEFAULT_MILLI_CPU_REQUEST;
    if (merged.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/** upstream resource.PodRequests (with NonMissingContainerRequests when nonZero). Pure. */
export function podRequests(spec: JsonObject | undefined, nonZero: boolean): Resources {
  let reqs = emptyResources();
  for (const c of objectsAt(spec, 'containers')) reqs = add(reqs, containerRequests(c, nonZero));
  let sidecars = emptyResources();
  let initMax = emptyResources();
  for (const c of objectsAt(spec, 'initContainers')) {
    const own = containerRequests(c, nonZero);
    let needed: Resources;
    if (stringAt(c, 'restartPolicy') === 'Always') {
      reqs = add(reqs, own);
      sidecars = add(sidecars, own);
      needed = sidecars;
    } else {
      needed = add(own, sidecars);
    }
    initMax = max(initMax, needed);
  }
  reqs = max(reqs, initMax);
  if (!nonZero) reqs = add(reqs, resourcesFrom(stringMapAt(spec, 'overhead')));
  return reqs;
}

function hostPorts(spec: JsonObject | undefined): HostPort[] {
  const out: HostPort[] = [];
  for (const c of objectsAt(spec, 'containers')) {
    for (const p of objectsAt(c, 'ports')) {
      const port = p.hostPort;
      if (typeof port !== 'number' || port <= 0) continue;
      out.push({ ip: stringAt(p, 'hostIP') || '0.0.0.0', protocol: stringAt(p, 'protocol') || 'TCP', port });
    }
  }
  return out;
}

function requirements(list: JsonObject[]): NodeSelectorRequirement[] {
  return list.map((r) => {
    const op = stringAt(r, 'operator') ?? '';
    return {
      key: stringAt(r, 'key') ?? '',
      // An unknown operator can never match (upstream rejects it at validation).
      operator: OPERATORS.has(op as NodeSelectorOperator) ? (op as NodeSelectorOperator) : 'In',
      values: OPERATORS.has(op as NodeSelectorOperator) ? (arrayAt(r, 'values') ?? []).filter((v): v is string => typeof v === 'string') : [],
    };
  });
}

function requiredTerms(spec: JsonObject | undefined): NodeSelectorTerm[] | undefined {
  const required = objectAt(objectAt(objectAt(spec, 'affinity'), 'nodeAffinity'), 'requiredDuringSchedulingIgnoredDuringExecution');
  if (required === undefined) return undefined;
  return objectsAt(required, 'nodeSelectorTerms').map((t) => ({
    matchExpressions: requirements(objectsAt(t, 'matchExpressions')),
    matchFields: requirements(objectsAt(t, 'matchFields')),
  }));
}

function tolerations(spec: JsonObject | undefined): Toleration[] {
  return objectsAt(spec, 'tolerations').map((t) => ({
    key: stringAt(t, 'key') ?? '',
    operator: stringAt(t, 'operator') === 'Exists' ? 'Exists' : 'Equal',
    value: stringAt(t, 'value') ?? '',
    effect: stringAt(t, 'effect') ?? '',
  }));
}

function conditionOf(status: JsonObject | undefined, type: string): JsonObject | undefined {
  return objectsAt(status, 'conditions').find((c) => c.type === type);
}

/** The scheduler's view of a pod. Pure; never throws on odd input. */
export function parsePod(obj: KubeObject): SchedPod {
  const spec = isJsonObject(obj.spec) ? obj.spec : undefined;
  const status = isJsonObject(obj.status) ? obj.status : undefined;
  const namespace = obj.metadata.namespace ?? '';
  const name = obj.metadata.name ?? '';
  const phase = stringAt(status, 'phase');
  const scheduled = conditionOf(status, 'PodScheduled');
  const owner = (obj.metadata.ownerReferences ?? []).find((o) => o.controller === true);
  const nonZero = podRequests(spec, true);
  return {
    key: `${namespace}/${name}`,
    namespace,
    name,
    uid: obj.metadata.uid ?? '',
    resourceVersion: obj.metadata.resourceVersion ?? '',
    nodeName: stringAt(spec, 'nodeName') ?? '',
    schedulerName: stringAt(spec, 'schedulerName') || DEFAULT_SCHEDULER_NAME,
    terminal: phase === 'Succeeded' || phase === 'Failed',
    deleting: obj.metadata.deletionTimestamp !== undefined,
    requests: podRequests(spec, false),
    nonZero: { milliCpu: nonZero.milliCpu, memory: nonZero.memory },
    hostPorts: hostPorts(spec),
    nodeSelector: stringMapAt(spec, 'nodeSelector') ?? {},
    requiredTerms: requiredTerms(spec),
    tolerations: tolerations(spec),
    controllerUid: owner?.uid,
    unschedulableMessage: scheduled?.status === 'False' ? (stringAt(scheduled, 'message') ?? '') : undefined,
    specFingerprint: spec === undefined ? '' : JSON.stringify(spec),
  };
}

/** The scheduler's view of a node. Pure. */
export function parseNode(obj: KubeObject): SchedNode {
  const spec = isJsonObject(obj.spec) ? obj.spec : undefined;
  const status = isJsonObject(obj.status) ? obj.status : undefined;
  const allocList = stringMapAt(status, 'allocatable') ?? stringMapAt(status, 'capacity') ?? {};
  const taints: Taint[] = [];
  for (const t of objectsAt(spec, 'taints')) {
    const effect = stringAt(t, 'effect') ?? '';
    if (EFFECTS.has(effect as TaintEffect)) taints.push({ key: stringAt(t, 'key') ?? '', value: stringAt(t, 'value') ?? '', effect: effect as TaintEffect });
  }
  return {
    name: obj.metadata.name ?? '',
    uid: obj.metadata.uid ?? '',
    labels: obj.metadata.labels ?? {},
    unschedulable: spec?.unschedulable === true,
    ready: conditionOf(status, 'Ready')?.status === 'True',
    taints,
    allocatable: { ...resourcesFrom(allocList), pods: allocList.pods === undefined ? 0 : quantity('pods', allocList.pods) },
  };
}
