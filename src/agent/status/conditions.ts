// The kubelet-owned pod conditions, as upstream's status/generate.go builds them:
// PodReadyToStartContainers, Initialized, Ready, ContainersReady (PodScheduled is added by the
// generator). Readiness gates are not supported yet: Ready follows ContainersReady.
import type { ContainerStatus, PodCondition, PodPhase, PodSpec } from '../../api/pod-types.js';
import { hasAnyAppContainerStarted } from './phase.js';

export const ConditionType = {
  PodReadyToStartContainers: 'PodReadyToStartContainers',
  Initialized: 'Initialized',
  Ready: 'Ready',
  ContainersReady: 'ContainersReady',
  PodScheduled: 'PodScheduled',
} as const;

/** Condition types the kubelet owns; others on the pod (readiness gates, DisruptionTarget) are kept. */
export const KUBELET_CONDITIONS: ReadonlySet<string> = new Set(Object.values(ConditionType));

export const ConditionReason = {
  UnknownContainerStatuses: 'UnknownContainerStatuses',
  ContainersNotReady: 'ContainersNotReady',
  ContainersNotInitialized: 'ContainersNotInitialized',
  PodCompleted: 'PodCompleted',
  PodFailed: 'PodFailed',
} as const;

/** Go's fmt of a []string: `[a b]`. */
function goList(names: readonly string[]): string {
  return `[${names.join(' ')}]`;
}

export function readyToStartContainersCondition(sandboxReady: boolean): PodCondition {
  return { type: ConditionType.PodReadyToStartContainers, status: sandboxReady ? 'True' : 'False' };
}

export function initializedCondition(spec: PodSpec, statuses: readonly ContainerStatus[], phase: PodPhase): PodCondition {
  const type = ConditionType.Initialized;
  const inits = spec.initContainers ?? [];
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of inits) {
    const s = statuses.find((x) => x.name === c.name);
    if (s === undefined) unknown.push(c.name);
    else if (s.state.terminated === undefined || s.state.terminated.exitCode !== 0) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type, status: 'True', reason: ConditionReason.PodCompleted };
  // An app container has run: the pod was initialized before.
  if (hasAnyAppContainerStarted(spec, statuses)) return { type, status: 'True' };
  const messages: string[] = [];
  if (unknown.length > 0) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length > 0) messages.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (messages.length > 0) return { type, status: 'False', reason: ConditionReason.ContainersNotInitialized, message: messages.join(', ') };
  return { type, status: 'True' };
}

export function containersReadyCondition(spec: PodSpec, statuses: readonly ContainerStatus[], phase: PodPhase): PodCondition {
  const type = ConditionType.ContainersReady;
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of spec.containers) {
    const s = statuses.find((x) => x.name === c.name);
    if (s === undefined) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type, status: 'False', reason: ConditionReason.PodCompleted };
  // A failed pod's containers may still be terminating: never ready.
  if (phase === 'Failed') return { type, status: 'False', reason: ConditionReason.PodFailed };
  const messages: string[] = [];
  if (unknown.length > 0) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length > 0) messages.push(`containers with unready status: ${goList(unready)}`);
  if (messages.length > 0) return { type, status: 'False', reason: ConditionReason.ContainersNotReady, message: messages.join(', ') };
  return { type, status: 'True' };
}

export function readyCondition(containersReady: PodCondition): PodCondition {
  const c: PodCondition = { type: ConditionType.Ready, status: containersReady.status };
  if (containersReady.reason !== undefined) c.reason = containersReady.reason;
  if (containersReady.message !== undefined) c.message = containersReady.message;
  return c;
}

/** lastTransitionTime: kept from the old condition of the same type when its status is unchanged, else now. */
export function withTransitionTimes(conditions: PodCondition[], old: readonly PodCondition[], now: string): PodCondition[] {
  return conditions.map((c) => {
    if (!KUBELET_CONDITIONS.has(c.type)) return c;
    const prev = old.find((o) => o.type === c.type);
    const lastTransitionTime = prev !== undefined && prev.status === c.status && prev.lastTransitionTime !== undefined ? prev.lastTransitionTime : now;
    return { ...c, lastProbeTime: null, lastTransitionTime };
  });
}
