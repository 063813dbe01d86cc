// What the workload controllers need to know about a pod, read from the wire object without
// trusting it: owner, node, phase, readiness (and since when), restarts. Plus upstream's
// predicates (IsPodActive, IsPodReady, IsPodAvailable) and the ranking that picks which surplus
// pods a ReplicaSet deletes first (pkg/controller/controller_utils.go ActivePodsWithRanks).
import { asJson, numberAt, objectAt, objectsAt, stringAt, stringMapAt } from '../../../api/json.js';
import type { KubeObject, OwnerReference } from '../../../api/object.js';

export interface PodView {
  readonly obj: KubeObject;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly labels: Record<string, string>;
  readonly owners: OwnerReference[];
  readonly nodeName: string;
  readonly phase: string;
  readonly deleting: boolean;
  /** ms since the epoch; undefined when missing or unparsable. */
  readonly created: number | undefined;
  readonly ready: boolean;
  /** When Ready last turned True (ms), when ready. */
  readonly readySince: number | undefined;
  readonly restarts: number;
}

export function parseTime(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** Owner references with the fields the controllers rely on; malformed entries are skipped. */
export function ownerRefsOf(obj: KubeObject): OwnerReference[] {
  const refs = obj.metadata.ownerReferences;
  if (!Array.isArray(refs)) return [];
  return refs.filter((r) => typeof r === 'object' && r !== null && typeof r.uid === 'string' && typeof r.kind === 'string' && typeof r.name === 'string');
}

export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return ownerRefsOf(obj).find((r) => r.controller === true);
}

export function podView(obj: KubeObject): PodView | undefined {
  const m = obj.metadata;
  if (typeof m.name !== 'string' || typeof m.namespace !== 'string' || typeof m.uid !== 'string') return undefined;
  const json = asJson(obj);
  const spec = objectAt(json, 'spec');
  const status = objectAt(json, 'status');
  const readyCond = objectsAt(status, 'conditions').find((c) => c['type'] === 'Ready');
  const ready = readyCond?.['status'] === 'True';
  let restarts = 0;
  for (const cs of objectsAt(status, 'containerStatuses')) restarts = Math.max(restarts, numberAt(cs, 'restartCount') ?? 0);
  return {
    obj,
    namespace: m.namespace,
    name: m.name,
    uid: m.uid,
    labels: stringMapAt(objectAt(json, 'metadata'), 'labels') ?? {},
    owners: ownerRefsOf(obj),
    nodeName: stringAt(spec, 'nodeName') ?? '',
    phase: stringAt(status, 'phase') ?? 'Pending',
    deleting: typeof m.deletionTimestamp === 'string',
    created: parseTime(m.creationTimestamp),
    ready,
    readySince: ready ? parseTime(stringAt(readyCond, 'lastTransitionTime')) : undefined,
    restarts,
  };
}

/** IsPodActive: not terminal and not being deleted. */
export function isActive(p: PodView): boolean {
  return p.phase !== 'Succeeded' && p.phase !== 'Failed' && !p.deleting;
}

/** IsPodAvailable: ready for at least minReadySeconds at `now`. */
export function isAvailable(p: PodView, minReadySeconds: number, now: number): boolean {
  if (!p.ready) return false;
  if (minReadySeconds <= 0) return true;
  return p.readySince !== undefined && p.readySince + minReadySeconds * 1000 <= now;
}

const PHASE_ORDER: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Orders pods so the ones to delete first come first, as upstream's ActivePodsWithRanks.Less:
 * unassigned < assigned; Pending < Unknown < Running; not ready < ready; more pods of the same
 * owner family on its node first; ready more recently first; more restarts first; newer first.
 * `rank` is the number of related active pods on the pod's node.
 */
export function compareForDeletion(a: PodView, b: PodView, rank: (p: PodView) => number): number {
  if ((a.nodeName === '') !== (b.nodeName === '')) return a.nodeName === '' ? -1 : 1;
  const pa = PHASE_ORDER[a.phase] ?? 0;
  const pb = PHASE_ORDER[b.phase] ?? 0;
  if (pa !== pb) return pa - pb;
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return rb - ra;
  if (a.ready && b.ready && a.readySince !== b.readySince) {
    if (a.readySince === undefined) return -1;
    if (b.readySince === undefined) return 1;
    return b.readySince - a.readySince;
  }
  if (a.restarts !== b.restarts) return b.restarts - a.restarts;
  if (a.created !== b.created) {
    if (a.created === undefined) return -1;
    if (b.created === undefined) return 1;
    return b.created - a.created;
  }
  return a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0;
}
