// A Deployment's status and conditions (upstream sync.go calculateStatus, progress.go
// syncRolloutStatus, util/deployment_util.go): counts summed over its ReplicaSets, Available
// by the minimum availability, Progressing by whether the rollout moved, completed, or ran past
// progressDeadlineSeconds. Pure: takes the sets and the time, returns the status and when to
// look again.
import type { ReplicaSetView } from '../replicaset/replicaset-view.js';
import type { DeploymentCondition, DeploymentStatus, DeploymentView } from './deployment-view.js';

export const AVAILABLE = 'Available';
export const PROGRESSING = 'Progressing';
export const REASON = {
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable',
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
} as const;

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string, now: number): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

export function getCondition(conds: DeploymentCondition[], type: string): DeploymentCondition | undefined {
  return conds.find((c) => c.type === type);
}

/** SetDeploymentCondition: no change for the same status and reason; transition time kept for the same status. */
export function setCondition(conds: DeploymentCondition[], c: DeploymentCondition): DeploymentCondition[] {
  const cur = getCondition(conds, c.type);
  if (cur !== undefined && cur.status === c.status && cur.reason === c.reason) return conds;
  const next = cur !== undefined && cur.status === c.status ? { ...c, lastTransitionTime: cur.lastTransitionTime } : c;
  return [...conds.filter((x) => x.type !== c.type), next];
}

function sum(rss: ReplicaSetView[], f: (r: ReplicaSetView) => number): number {
  return rss.reduce((n, r) => n + f(r), 0);
}

export function calculateStatus(d: DeploymentView, all: ReplicaSetView[], newRS: ReplicaSetView | undefined, maxUnavailable: number, now: number): DeploymentStatus {
  const available = sum(all, (r) => r.status.availableReplicas);
  const status: DeploymentStatus = {
    observedGeneration: d.generation,
    replicas: sum(all, (r) => r.status.replicas),
    updatedReplicas: newRS?.status.replicas ?? 0,
    readyReplicas: sum(all, (r) => r.status.readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(d.replicas - available, 0),
    ...(d.status.collisionCount === undefined ? {} : { collisionCount: d.status.collisionCount }),
    conditions: d.status.conditions,
  };
  const cond =
    available >= d.replicas - maxUnavailable
      ? newCondition(AVAILABLE, 'True', REASON.minimumAvailable, 'Deployment has minimum availability.', now)
      : newCondition(AVAILABLE, 'False', REASON.minimumUnavailable, 'Deployment does not have minimum availability.', now);
  status.conditions = setCondition(status.conditions, cond);
  return status;
}

export function deploymentComplete(d: DeploymentView, s: DeploymentStatus): boolean {
  return s.updatedReplicas === d.replicas && s.replicas === d.replicas && s.availableReplicas === d.replicas && s.observedGeneration >= d.generation;
}

function deploymentProgressing(d: DeploymentView, s: DeploymentStatus): boolean {
  const old = d.status;
  return (
    s.updatedReplicas > old.updatedReplicas ||
    s.replicas - s.updatedReplicas < old.replicas - old.updatedReplicas ||
    s.readyReplicas > old.readyReplicas ||
    s.availableReplicas > old.availableReplicas
  );
}

function timedOut(d: DeploymentView, conds: DeploymentCondition[], now: number): boolean {
  const c = getCondition(conds, PROGRESSING);
  if (c === undefined || d.progressDeadlineSeconds === undefined) return false;
  if (c.reason === REASON.newRSAvailable) return false;
  if (c.reason === REASON.timedOut) return true;
  const from = Date.parse(c.lastUpdateTime);
  return !Number.isNaN(from) && now > from + d.progressDeadlineSeconds * 1000;
}

/**
 * syncRolloutStatus: the status with the Progressing condition brought up to date, and (when
 * the rollout is neither complete nor timed out) the ms after which the deadline is due.
 */
export function rolloutStatus(
  d: DeploymentView,
  all: ReplicaSetView[],
  newRS: ReplicaSetView | undefined,
  maxUnavailable: number,
  now: number,
): { status: DeploymentStatus; recheckAfterMs: number | undefined } {
  const s = calculateStatus(d, all, newRS, maxUnavailable, now);
  if (d.progressDeadlineSeconds === undefined) {
    s.conditions = s.conditions.filter((c) => c.type !== PROGRESSING);
    return { status: s, recheckAfterMs: undefined };
  }
  const cur = getCondition(s.conditions, PROGRESSING);
  const rsName = newRS === undefined ? undefined : `ReplicaSet "${newRS.name}"`;
  if (cur?.reason !== REASON.timedOut) {
    if (deploymentComplete(d, s)) {
      const msg = rsName === undefined ? 'Deployment has successfully progressed.' : `${rsName} has successfully progressed.`;
      s.conditions = setCondition(s.conditions, newCondition(PROGRESSING, 'True', REASON.newRSAvailable, msg, now));
    } else if (deploymentProgressing(d, s)) {
      const msg = rsName === undefined ? 'Deployment is progressing.' : `${rsName} is progressing.`;
      const c = newCondition(PROGRESSING, 'True', REASON.rsUpdated, msg, now);
      if (cur !== undefined && cur.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
      s.conditions = [...s.conditions.filter((x) => x.type !== PROGRESSING), c];
    } else if (timedOut(d, s.conditions, now)) {
      const msg = rsName === undefined ? 'Deployment has timed out progressing.' : `${rsName} has timed out progressing.`;
      s.conditions = setCondition(s.conditions, newCondition(PROGRESSING, 'False', REASON.timedOut, msg, now));
    }
  }
  let recheckAfterMs: number | undefined;
  const after = getCondition(s.conditions, PROGRESSING);
  if (!deploymentComplete(d, s) && after !== undefined && after.reason !== REASON.timedOut) {
    const from = Date.parse(after.lastUpdateTime);
    if (!Number.isNaN(from)) recheckAfterMs = Math.max(from + d.progressDeadlineSeconds * 1000 - now, 0) + 1000;
  }
  return { status: s, recheckAfterMs };
}

/** checkPausedConditions: Progressing Unknown while paused, DeploymentResumed once resumed. */
export function pausedConditions(d: DeploymentView, conds: DeploymentCondition[], now: number): DeploymentCondition[] {
  if (d.progressDeadlineSeconds === undefined) return conds;
  const cur = getCondition(conds, PROGRESSING);
  if (cur?.reason === REASON.timedOut) return conds;
  const pausedNow = cur?.reason === REASON.paused;
  if (d.paused && !pausedNow) return setCondition(conds, newCondition(PROGRESSING, 'Unknown', REASON.paused, 'Deployment is paused', now));
  if (!d.paused && pausedNow) return setCondition(conds, newCondition(PROGRESSING, 'Unknown', REASON.resumed, 'Deployment is resumed', now));
  return conds;
}
