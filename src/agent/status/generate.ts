// A pod's API status from the runtime's view of it and what the worker knows, as upstream
// kubelet's generateAPIPodStatus (kubelet_pods.go) plus the status manager's bookkeeping of
// lastTransitionTime and startTime. Pure: the caller supplies `now` and the previous status.
//
// Order of the steps (as upstream):
//  1. container statuses (init in spec order, app by name);
//  2. phase from them; a terminal phase (old, or on the API object) is never left; a pod-level
//     failure (activeDeadlineSeconds) makes it Failed with its reason and message;
//  3. reason/message kept while the phase does not change;
//  4. conditions: foreign ones kept, kubelet ones regenerated, transition times kept when unchanged;
//  5. host and pod IPs, start time, QoS class.
import type { Pod, PodCondition, PodStatus } from '../../api/pod-types.js';
import { SourceAnnotation } from '../labels.js';
import type { PodRuntimeState, SandboxState } from '../runtime-state.js';
import { qosClass } from '../runtime-config/qos.js';
import {
  ConditionType,
  KUBELET_CONDITIONS,
  containersReadyCondition,
  initializedCondition,
  readyCondition,
  readyToStartContainersCondition,
  withTransitionTimes,
} from './conditions.js';
import { convertContainerStatuses } from './container-statuses.js';
import { getPhase } from './phase.js';

export interface PodFacts {
  hostIP?: string;
  /** Waiting reasons the worker knows but the runtime cannot (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, CreateContainerConfigError, ContainerCreating, PodInitializing), per container name. */
  waiting: ReadonlyMap<string, { reason: string; message?: string }>;
  /** Readiness per container from probes; absent = no readiness probe (ready when running). */
  readiness: ReadonlyMap<string, boolean>;
  /** Startup probe results; absent = no startup probe (started when running). */
  started: ReadonlyMap<string, boolean>;
  /** Set when the pod is terminal for a reason outside containers, e.g. activeDeadlineSeconds: { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' }. */
  podFailure?: { reason: string; message: string };
  /** The pod's sandbox is being created / network being set up. */
  sandboxPending?: boolean;
  /**
   * The worker has stopped the pod for good (deleted, or finished terminating): its containers will
   * not restart, so all-stopped containers give Succeeded/Failed whatever the restart policy.
   */
  podIsTerminal?: boolean;
  oldStatus?: PodStatus;
}

export interface GenerateOptions {
  /** Container ID scheme (`containerd://<id>`). */
  runtimeName?: string;
}

export const DEADLINE_EXCEEDED = {
  reason: 'DeadlineExceeded',
  message: 'Pod was active on the node longer than the specified deadline',
} as const;

function isStaticPod(pod: Pod): boolean {
  const source = pod.metadata.annotations?.[SourceAnnotation.source];
  return source !== undefined && source !== 'api';
}

function newestFirst(sandboxes: readonly SandboxState[]): SandboxState[] {
  return [...sandboxes].sort((a, b) => (a.createdAt === b.createdAt ? b.attempt - a.attempt : a.createdAt > b.createdAt ? -1 : 1));
}

/** Upstream's PodSandboxChanged negated: exactly one ready sandbox, the newest, with networking done. */
function sandboxReady(pod: Pod, sandboxes: readonly SandboxState[], facts: PodFacts): boolean {
  if (facts.sandboxPending === true) return false;
  const [newest] = sandboxes;
  if (newest === undefined || !newest.ready) return false;
  if (sandboxes.filter((s) => s.ready).length > 1) return false;
  return pod.spec.hostNetwork === true || newest.ips.length > 0;
}

export function generatePodStatus(pod: Pod, runtime: PodRuntimeState | undefined, facts: PodFacts, now: string, opts: GenerateOptions = {}): PodStatus {
  const convert = { runtimeName: opts.runtimeName ?? 'containerd' };
  const old = facts.oldStatus ?? pod.status ?? {};
  const apiStatus = pod.status ?? {};
  const containers = runtime?.containers ?? [];
  const sandboxes = newestFirst(runtime?.sandboxes ?? []);

  const initContainerStatuses = convertContainerStatuses(pod, pod.spec.initContainers ?? [], containers, old.initContainerStatuses, facts, true, convert);
  const containerStatuses = convertContainerStatuses(pod, pod.spec.containers, containers, old.containerStatuses, facts, false, convert);
  const all = [...initContainerStatuses, ...containerStatuses];

  // 2. Phase, never leaving a terminal one.
  let phase = getPhase(pod.spec, all, facts.podIsTerminal === true, isStaticPod(pod));
  if (phase !== 'Failed' && phase !== 'Succeeded') {
    if (old.phase === 'Failed' || old.phase === 'Succeeded') phase = old.phase;
    else if (apiStatus.phase === 'Failed' || apiStatus.phase === 'Succeeded') phase = apiStatus.phase;
  }
  const status: PodStatus = { phase };
  // 3. The reason and message belong to the phase.
  if (phase === old.phase) {
    const reason = old.reason ?? apiStatus.reason;
    const message = old.message ?? apiStatus.message;
    if (reason !== undefined && reason !== '') status.reason = reason;
    if (message !== undefined && message !== '') status.message = message;
  }
  if (facts.podFailure !== undefined) {
    status.phase = 'Failed';
    status.reason = facts.podFailure.reason;
    status.message = facts.podFailure.message;
  }
  if ((apiStatus.phase === 'Failed' || apiStatus.phase === 'Succeeded') && status.phase !== apiStatus.phase) status.phase = apiStatus.phase;
  const finalPhase = status.phase ?? phase;

  // 4. Conditions.
  const conditions: PodCondition[] = (apiStatus.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const containersReady = containersReadyCondition(pod.spec, all, finalPhase);
  conditions.push(
    readyToStartContainersCondition(sandboxReady(pod, sandboxes, facts)),
    initializedCondition(pod.spec, all, finalPhase),
    readyCondition(containersReady),
    containersReady,
    { type: ConditionType.PodScheduled, status: 'True' },
  );
  status.conditions = withTransitionTimes(conditions, old.conditions ?? apiStatus.conditions ?? [], now);

  // 5. Addresses, start time, QoS.
  if (facts.hostIP !== undefined && facts.hostIP !== '') {
    status.hostIP = facts.hostIP;
    status.hostIPs = [{ ip: facts.hostIP }];
  }
  const [newest] = sandboxes;
  let podIPs = newest !== undefined && newest.ready ? newest.ips : [];
  if (podIPs.length === 0 && pod.spec.hostNetwork === true && status.hostIP !== undefined) podIPs = [status.hostIP];
  // A stopped pod keeps the IPs it had (kubectl shows a completed pod's IP).
  if (podIPs.length === 0) podIPs = (old.podIPs ?? []).map((p) => p.ip);
  if (podIPs.length > 0) {
    status.podIPs = podIPs.map((ip) => ({ ip }));
    status.podIP = podIPs[0];
  }
  status.startTime = old.startTime ?? apiStatus.startTime ?? now;
  status.qosClass = qosClass(pod);
  if (initContainerStatuses.length > 0) status.initContainerStatuses = initContainerStatuses;
  status.containerStatuses = containerStatuses;
  return status;
}
