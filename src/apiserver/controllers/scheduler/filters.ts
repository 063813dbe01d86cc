// The filters: whether a pod may run on a node, in upstream's plugin order (NodeUnschedulable,
// TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit, after a Ready check); the first
// filter that fails gives the node's reasons, worded as upstream's so FailedScheduling messages
// read the same. Pure; each costs O(what the pod asks for), never O(pods on the node).
import type { NodeInfo } from './node-info.js';
import type { NodeSelectorRequirement, NodeSelectorTerm, SchedNode, SchedPod, Taint, Toleration } from './types.js';

export const REASON_NOT_READY = 'node(s) were not ready';
export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const UNSCHEDULABLE_TAINT_KEY = 'node.kubernetes.io/unschedulable';

export function untoleratedTaintReason(t: Taint): string {
  return `node(s) had untolerated taint {${t.key}: ${t.value}}`;
}

/** v1 Toleration.ToleratesTaint. */
export function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect !== '' && tol.effect !== taint.effect) return false;
  if (tol.key !== '' && tol.key !== taint.key) return false;
  return tol.operator === 'Exists' || tol.value === taint.value;
}

export function toleratedBy(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => tolerates(t, taint));
}

function parseInt64(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/** One node selector requirement against a value that may be absent (labels.Requirement.Matches). */
export function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  switch (req.operator) {
    case 'In':
      return value !== undefined && req.values.includes(value);
    case 'NotIn':
      return value === undefined || !req.values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || req.values.length !== 1) return false;
      const have = parseInt64(value);
      const want = parseInt64(req.values[0] ?? '');
      if (have === undefined || want === undefined) return false;
      return req.operator === 'Gt' ? have > want : have < want;
    }
  }
}

/** A term matches when all its requirements do; an empty term matches nothing. matchFields knows metadata.name only. */
export function termMatches(term: NodeSelectorTerm, node: SchedNode): boolean {
  if (term.matchExpressions.length === 0 && term.matchFields.length === 0) return false;
  for (const req of term.matchExpressions) if (!requirementMatches(req, node.labels[req.key])) return false;
  for (const req of term.matchFields) {
    if (req.key !== 'metadata.name' || (req.operator !== 'In' && req.operator !== 'NotIn')) return false;
    if (!requirementMatches(req, node.name)) return false;
  }
  return true;
}

export function matchesNodeAffinity(pod: SchedPod, node: SchedNode): boolean {
  for (const [k, v] of Object.entries(pod.nodeSelector)) if (node.labels[k] !== v) return false;
  if (pod.requiredTerms === undefined) return true;
  return pod.requiredTerms.some((t) => termMatches(t, node));
}

export function filterReady(node: SchedNode): string[] {
  return node.ready ? [] : [REASON_NOT_READY];
}

export function filterUnschedulable(pod: SchedPod, node: SchedNode): string[] {
  if (!node.unschedulable) return [];
  const taint: Taint = { key: UNSCHEDULABLE_TAINT_KEY, value: '', effect: 'NoSchedule' };
  return toleratedBy(pod.tolerations, taint) ? [] : [REASON_UNSCHEDULABLE];
}

/** NoSchedule and NoExecute taints must be tolerated; PreferNoSchedule only lowers the score. */
export function filterTaints(pod: SchedPod, node: SchedNode): string[] {
  for (const taint of node.taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!toleratedBy(pod.tolerations, taint)) return [untoleratedTaintReason(taint)];
  }
  return [];
}

export function filterAffinity(pod: SchedPod, node: SchedNode): string[] {
  return matchesNodeAffinity(pod, node) ? [] : [REASON_AFFINITY];
}

export function filterPorts(pod: SchedPod, info: NodeInfo): string[] {
  return pod.hostPorts.some((p) => info.portConflict(p)) ? [REASON_PORTS] : [];
}

/** NodeResourcesFit: pod count, then every resource the pod requests against allocatable minus what is bound. */
export function filterResources(pod: SchedPod, node: SchedNode, info: NodeInfo): string[] {
  const reasons: string[] = [];
  const alloc = node.allocatable;
  if (info.pods.size + 1 > alloc.pods) reasons.push(REASON_TOO_MANY_PODS);
  const req = pod.requests;
  const used = info.requested;
  if (req.milliCpu > 0 && req.milliCpu > alloc.milliCpu - used.milliCpu) reasons.push('Insufficient cpu');
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) reasons.push('Insufficient memory');
  for (const [name, want] of Object.entries(req.scalar)) {
    if (want > 0 && want > (alloc.scalar[name] ?? 0) - (used.scalar[name] ?? 0)) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

/** All filters in order; the reasons of the first that fails, or [] when the pod fits. */
export function runFilters(pod: SchedPod, info: NodeInfo): string[] {
  const node = info.node;
  if (node === undefined) return [REASON_NOT_READY];
  let r = filterReady(node);
  if (r.length === 0) r = filterUnschedulable(pod, node);
  if (r.length === 0) r = filterTaints(pod, node);
  if (r.length === 0) r = filterAffinity(pod, node);
  if (r.length === 0) r = filterPorts(pod, info);
  if (r.length === 0) r = filterResources(pod, node, info);
  return r;
}
