// The pure half of the ReplicaSet controller (upstream pkg/controller/replicaset syncReplicaSet,
// manageReplicas, calculateStatus): from the ReplicaSet and the pods of its namespace, which pods
// to adopt or release, how many to create, which to delete, and the status to report.
import { matchesLabels, type LabelSelector } from '../../../api/labels.js';
import { decideClaim } from './ownership.js';
import { compareForDeletion, isActive, isAvailable, type PodView } from './pods.js';

/** Upstream's burstReplicas: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 500;

export interface ReplicaSetFacts {
  uid: string;
  generation: number;
  replicas: number;
  minReadySeconds: number;
  selector: LabelSelector;
  templateLabels: Record<string, string>;
  deleting: boolean;
}

export interface ReplicaSetStatusFacts {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration: number;
}

export interface ReplicaSetPlan {
  adopt: PodView[];
  release: PodView[];
  /** Active pods the ReplicaSet controls after adoption and release. */
  owned: PodView[];
  create: number;
  delete: PodView[];
  status: ReplicaSetStatusFacts;
  /** ms until a ready pod becomes available (minReadySeconds), to look again then. */
  recheckAfterMs: number | undefined;
}

export interface PlanInput {
  rs: ReplicaSetFacts;
  /** Pods of the ReplicaSet's namespace. */
  pods: PodView[];
  /** Active pods of the ReplicaSet's siblings (same controlling owner), for the deletion rank. */
  related: PodView[];
  now: number;
  /** False while expectations of earlier creations/deletions are unmet: no new ones then. */
  manage: boolean;
}

function fullyLabeled(p: PodView, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([k, v]) => p.labels[k] === v);
}

export function planReplicaSet(input: PlanInput): ReplicaSetPlan {
  const { rs, now } = input;
  const adopt: PodView[] = [];
  const release: PodView[] = [];
  const owned: PodView[] = [];
  for (const p of input.pods) {
    if (!isActive(p)) continue;
    const claim = decideClaim({
      ownerUid: rs.uid,
      ownerDeleting: rs.deleting,
      owners: p.owners,
      dependentDeleting: p.deleting,
      matches: matchesLabels(rs.selector, p.labels),
    });
    if (claim === 'adopt') adopt.push(p);
    if (claim === 'release') release.push(p);
    if (claim === 'own' || claim === 'adopt') owned.push(p);
  }

  let create = 0;
  let toDelete: PodView[] = [];
  if (input.manage && !rs.deleting) {
    const diff = owned.length - rs.replicas;
    if (diff < 0) create = Math.min(-diff, BURST_REPLICAS);
    if (diff > 0) toDelete = podsToDelete(owned, input.related, Math.min(diff, BURST_REPLICAS));
  }

  let ready = 0;
  let available = 0;
  let labeled = 0;
  let recheckAfterMs: number | undefined;
  for (const p of owned) {
    if (fullyLabeled(p, rs.templateLabels)) labeled++;
    if (!p.ready) continue;
    ready++;
    if (isAvailable(p, rs.minReadySeconds, now)) available++;
    else if (p.readySince !== undefined) {
      const wait = p.readySince + rs.minReadySeconds * 1000 - now;
      recheckAfterMs = Math.min(recheckAfterMs ?? wait, wait);
    }
  }
  return {
    adopt,
    release,
    owned,
    create,
    delete: toDelete,
    status: { replicas: owned.length, fullyLabeledReplicas: labeled, readyReplicas: ready, availableReplicas: available, observedGeneration: rs.generation },
    recheckAfterMs: recheckAfterMs === undefined ? undefined : Math.max(recheckAfterMs, 0) + 1,
  };
}

/** getPodsToDelete: the first `count` pods in upstream's deletion order. */
export function podsToDelete(pods: PodView[], related: PodView[], count: number): PodView[] {
  const perNode = new Map<string, number>();
  for (const p of related.length > 0 ? related : pods) {
    if (!isActive(p) || p.nodeName === '') continue;
    perNode.set(p.nodeName, (perNode.get(p.nodeName) ?? 0) + 1);
  }
  const rank = (p: PodView): number => (p.nodeName === '' ? 0 : (perNode.get(p.nodeName) ?? 0));
  return [...pods].sort((a, b) => compareForDeletion(a, b, rank)).slice(0, count);
}

/** slowStartBatch's batch sizes: 1, 2, 4, ... summing to `count`. */
export function slowStartBatches(count: number, initial = 1): number[] {
  const out: number[] = [];
  let remaining = count;
  let size = Math.min(remaining, initial);
  while (size > 0) {
    out.push(size);
    remaining -= size;
    size = Math.min(2 * size, remaining);
  }
  return out;
}
