// The JSON merge patch the status manager sends to pods/<name>/status: the full status, with
// null for the kubelet-owned fields it no longer has (a merge patch only removes what it nulls),
// and metadata.uid, which the apiserver checks against the stored pod: a status meant for an
// earlier incarnation of the name is rejected with a Conflict instead of landing on the new pod.
import type { PodStatus } from '../../api/pod-types.js';

/** PodStatus fields the kubelet writes; nominatedNodeName and resize belong to others. */
const KUBELET_FIELDS = [
  'phase',
  'conditions',
  'message',
  'reason',
  'hostIP',
  'hostIPs',
  'podIP',
  'podIPs',
  'startTime',
  'initContainerStatuses',
  'containerStatuses',
  'qosClass',
] as const;

export function statusPatch(uid: string, status: PodStatus): { metadata: { uid: string }; status: Record<string, unknown> } {
  const out: Record<string, unknown> = {};
  for (const key of KUBELET_FIELDS) out[key] = status[key] ?? null;
  for (const [key, value] of Object.entries(status)) if (value !== undefined) out[key] = value;
  return { metadata: { uid }, status: out };
}

/** Structural equality of plain data; keys whose value is undefined count as absent. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual(ra[k], rb[k]));
}
