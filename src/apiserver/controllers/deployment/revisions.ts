// Revisions and the annotations a Deployment puts on its ReplicaSets (upstream
// util/deployment_util.go): revision numbers, revision-history on a reused set (rollback),
// desired-replicas/max-replicas, the Deployment's own annotations copied (change-cause), and
// which old sets the revision history limit lets go.
import type { ReplicaSetView } from '../replicaset/replicaset-view.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** Annotations of the Deployment that are not copied onto its ReplicaSets. */
const SKIPPED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

/** Upstream keeps revision-history under this many characters. */
const MAX_HISTORY_CHARS = 2000;

export function revisionOf(annotations: Record<string, string>): number {
  const v = Number(annotations[REVISION] ?? '0');
  return Number.isInteger(v) && v > 0 ? v : 0;
}

export function maxRevision(rss: ReplicaSetView[]): number {
  return rss.reduce((m, r) => Math.max(m, revisionOf(r.annotations)), 0);
}

/**
 * SetNewReplicaSetAnnotations: the annotations the new set should carry. `exists` says whether
 * the set already exists (its replica annotations are then left to scaling).
 */
export function newReplicaSetAnnotations(
  current: Record<string, string>,
  deployment: { annotations: Record<string, string>; replicas: number; surge: number },
  newRevision: number,
  exists: boolean,
): { annotations: Record<string, string>; changed: boolean } {
  const out = { ...current };
  let changed = false;
  for (const [k, v] of Object.entries(deployment.annotations)) {
    if (SKIPPED.has(k) || out[k] === v) continue;
    out[k] = v;
    changed = true;
  }
  const old = current[REVISION];
  const oldNum = revisionOf(current);
  if (oldNum < newRevision) {
    out[REVISION] = String(newRevision);
    changed = true;
    if (old !== undefined && old !== '' && exists) {
      const history = current[REVISION_HISTORY];
      let next = history === undefined || history === '' ? old : `${history},${old}`;
      while (next.length > MAX_HISTORY_CHARS && next.includes(',')) next = next.slice(next.indexOf(',') + 1);
      out[REVISION_HISTORY] = next;
    }
  }
  if (!exists) {
    out[DESIRED_REPLICAS] = String(deployment.replicas);
    out[MAX_REPLICAS] = String(deployment.replicas + deployment.surge);
    changed = true;
  }
  return { annotations: out, changed };
}

/** cleanupDeployment: old sets beyond the limit that are empty and settled, oldest revision first. */
export function historyToDelete(olds: ReplicaSetView[], limit: number | undefined): ReplicaSetView[] {
  if (limit === undefined) return [];
  const cleanable = olds.filter((r) => r.replicas === 0 && r.status.replicas === 0 && r.status.observedGeneration >= r.generation && !r.deleting);
  const diff = cleanable.length - limit;
  if (diff <= 0) return [];
  return [...cleanable].sort((a, b) => revisionOf(a.annotations) - revisionOf(b.annotations) || (a.created ?? 0) - (b.created ?? 0)).slice(0, diff);
}
