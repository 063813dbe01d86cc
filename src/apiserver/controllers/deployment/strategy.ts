// The pure arithmetic of a Deployment's rollout (upstream pkg/controller/deployment rolling.go,
// recreate.go, sync.go scale, util/deployment_util.go): how far the new ReplicaSet may grow,
// how far old ones may shrink, and proportional scaling when the Deployment is resized mid-way.
// Every function takes counts and returns the target spec.replicas per ReplicaSet id.

export type IntOrPercent = number | string;

/** One ReplicaSet as the planner sees it. `created` orders olds (oldest first). */
export interface RSCounts {
  id: string;
  replicas: number;
  available: number;
  created: number;
  /** The max-replicas annotation, when set. */
  maxReplicas?: number | undefined;
}

/** GetScaledValueFromIntOrPercent: an int as is, "N%" of total rounded up or down. */
export function scaledValue(v: IntOrPercent | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return Math.trunc(v);
  const m = /^(\d+)%$/.exec(v);
  if (m === null) {
    const n = Number(v);
    return Number.isInteger(n) ? n : 0;
  }
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** ResolveFenceposts: surge rounds up, unavailable down; both zero means one unavailable. */
export function resolveFenceposts(maxSurge: IntOrPercent | undefined, maxUnavailable: IntOrPercent | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export interface RollingParams {
  replicas: number;
  maxSurge: IntOrPercent | undefined;
  maxUnavailable: IntOrPercent | undefined;
}

/** MaxSurge of a rolling Deployment. */
export function maxSurge(d: RollingParams): number {
  return resolveFenceposts(d.maxSurge, d.maxUnavailable, d.replicas).surge;
}

/** MaxUnavailable: never more than the replicas; 0 for an empty Deployment. */
export function maxUnavailable(d: RollingParams): number {
  if (d.replicas === 0) return 0;
  return Math.min(resolveFenceposts(d.maxSurge, d.maxUnavailable, d.replicas).unavailable, d.replicas);
}

function sum(rss: RSCounts[], f: (r: RSCounts) => number): number {
  return rss.reduce((n, r) => n + f(r), 0);
}

/** NewRSNewReplicas for RollingUpdate: grow the new set up to replicas + surge in total. */
export function newReplicasForRolling(d: RollingParams, all: RSCounts[], newRS: RSCounts): number {
  const maxTotal = d.replicas + maxSurge(d);
  const current = sum(all, (r) => r.replicas);
  if (current >= maxTotal) return newRS.replicas;
  const up = Math.min(maxTotal - current, d.replicas - newRS.replicas);
  return newRS.replicas + Math.max(up, 0);
}

/**
 * reconcileOldReplicaSets: first scale down unhealthy old pods (cleanupUnhealthyReplicas), then
 * available ones while availability stays >= replicas - maxUnavailable. Returns new targets of
 * the old sets that change.
 */
export function reconcileOld(d: RollingParams, olds: RSCounts[], newRS: RSCounts): Map<string, number> {
  const out = new Map<string, number>();
  const oldPods = sum(olds, (r) => r.replicas);
  if (oldPods === 0) return out;
  const all = [...olds, newRS];
  const minAvailable = d.replicas - maxUnavailable(d);
  const newUnavailable = newRS.replicas - newRS.available;
  const maxScaledDown = sum(all, (r) => r.replicas) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return out;
  const sorted = [...olds].sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1));
  const state = new Map(sorted.map((r) => [r.id, { ...r }]));
  // cleanupUnhealthyReplicas
  let cleaned = 0;
  for (const r of sorted) {
    const cur = state.get(r.id);
    if (cur === undefined || cleaned >= maxScaledDown) break;
    if (cur.replicas === 0) continue;
    const unhealthy = cur.replicas - cur.available;
    if (unhealthy <= 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    cur.replicas -= down;
    cleaned += down;
    out.set(cur.id, cur.replicas);
  }
  // scaleDownOldReplicaSetsForRollingUpdate: available pods above the minimum may go.
  const available = sum([...state.values()], (r) => Math.min(r.available, r.replicas)) + newRS.available;
  if (available <= minAvailable) return out;
  const total = available - minAvailable;
  let scaled = 0;
  for (const r of sorted) {
    const cur = state.get(r.id);
    if (cur === undefined || scaled >= total) break;
    if (cur.replicas === 0) continue;
    const down = Math.min(cur.replicas, total - scaled);
    cur.replicas -= down;
    scaled += down;
    out.set(cur.id, cur.replicas);
  }
  return out;
}

/**
 * sync.go scale(): the Deployment's size changed while several sets are active; spread the
 * difference in proportion to each set's share (by its max-replicas annotation), the rounding
 * leftover to the largest. Returns targets of all active sets.
 */
export function proportionalScale(d: RollingParams, active: RSCounts[], statusReplicas: number): Map<string, number> {
  const out = new Map<string, number>();
  const allowed = d.replicas > 0 ? d.replicas + maxSurge(d) : 0;
  const current = sum(active, (r) => r.replicas);
  const toAdd = allowed - current;
  if (toAdd === 0) return out;
  const ordered = [...active].sort((a, b) =>
    toAdd > 0 ? b.replicas - a.replicas || b.created - a.created : a.replicas - b.replicas || a.created - b.created,
  );
  let added = 0;
  for (const r of ordered) {
    let proportion = 0;
    if (current > 0) {
      const annotated = r.maxReplicas ?? statusReplicas;
      const fraction = annotated > 0 ? Math.round((r.replicas * allowed) / annotated) - r.replicas : 0;
      const remaining = toAdd - added;
      proportion = toAdd > 0 ? Math.min(fraction, remaining) : Math.max(fraction, remaining);
    }
    out.set(r.id, r.replicas + proportion);
    added += proportion;
  }
  const first = ordered[0];
  if (first !== undefined && added !== toAdd) out.set(first.id, (out.get(first.id) ?? first.replicas) + (toAdd - added));
  for (const [id, n] of out) if (n < 0) out.set(id, 0);
  return out;
}
