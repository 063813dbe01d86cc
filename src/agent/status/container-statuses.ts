// Container statuses from the runtime's view of a pod, as upstream kubelet's
// convertToAPIContainerStatuses and the prober's UpdatePodStatus build them:
//  - every spec container starts as waiting (ContainerCreating, or PodInitializing when the pod
//    has init containers); an old terminated status is kept when the runtime no longer has it;
//  - the newest runtime container gives `state`, the one before it `lastState`;
//  - a waiting reason the worker knows (image pull errors, CrashLoopBackOff, ...) replaces the
//    state of a container that will be (re)started, moving a terminated state to `lastState`;
//  - started/ready come from the probe results (absent = no probe).
// App statuses are sorted by name and init statuses kept in spec order, as upstream.
import type { Container, ContainerState, ContainerStatus, Pod, RestartPolicy } from '../../api/pod-types.js';
import type { ContainerRuntimeState } from '../runtime-state.js';
import type { PodFacts } from './generate.js';
import { nanosToRfc3339 } from './time.js';

export const Reason = {
  ContainerCreating: 'ContainerCreating',
  PodInitializing: 'PodInitializing',
  ContainerStatusUnknown: 'ContainerStatusUnknown',
  Completed: 'Completed',
  Error: 'Error',
} as const;

export interface ConvertOptions {
  /** Scheme of container IDs: `<runtimeName>://<id>`. */
  runtimeName: string;
}

/** The runtime containers for one name, newest first. */
function historyOf(containers: readonly ContainerRuntimeState[], name: string): ContainerRuntimeState[] {
  return containers
    .filter((c) => c.name === name)
    .sort((a, b) => (a.createdAt === b.createdAt ? b.attempt - a.attempt : a.createdAt > b.createdAt ? -1 : 1));
}

function containerId(c: ContainerRuntimeState, opts: ConvertOptions): string {
  return `${opts.runtimeName}://${c.id}`;
}

function terminatedReason(c: ContainerRuntimeState): string {
  if (c.reason !== '' && c.reason !== Reason.Completed && c.reason !== Reason.Error) return c.reason;
  return c.exitCode === 0 ? Reason.Completed : Reason.Error;
}

function stateOf(c: ContainerRuntimeState, old: ContainerStatus | undefined, opts: ConvertOptions): { state: ContainerState; restartFromOld: boolean } {
  switch (c.state) {
    case 'running':
      return { state: { running: withTime({}, 'startedAt', c.startedAt) }, restartFromOld: false };
    case 'created':
      // Created but not started: "waiting to be running".
      return { state: { waiting: {} }, restartFromOld: false };
    case 'exited': {
      const terminated: NonNullable<ContainerState['terminated']> = { exitCode: c.exitCode, reason: terminatedReason(c) };
      if (c.message !== '') terminated.message = c.message;
      withTime(terminated, 'startedAt', c.startedAt);
      withTime(terminated, 'finishedAt', c.finishedAt);
      terminated.containerID = containerId(c, opts);
      return { state: { terminated }, restartFromOld: false };
    }
    case 'unknown':
      // It ran and can no longer be found: report it as failed rather than "never ran", so that a
      // run-once pod is not run twice.
      if (old?.state.running !== undefined) {
        return {
          state: {
            terminated: {
              exitCode: 137,
              reason: Reason.ContainerStatusUnknown,
              message: 'The container could not be located when the pod was terminated',
            },
          },
          restartFromOld: true,
        };
      }
      return { state: { waiting: {} }, restartFromOld: false };
  }
}

function withTime<T extends object>(target: T, key: string, nanos: bigint): T {
  const t = nanosToRfc3339(nanos);
  if (t !== undefined) (target as Record<string, unknown>)[key] = t;
  return target;
}

/** Upstream's ShouldContainerBeRestarted, on the newest runtime container. */
export function shouldRestart(newest: ContainerRuntimeState | undefined, policy: RestartPolicy, deleting: boolean): boolean {
  if (deleting) return false;
  if (newest === undefined) return true;
  if (newest.state === 'running') return false;
  if (newest.state === 'unknown' || newest.state === 'created') return true;
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && newest.exitCode === 0) return false;
  return true;
}

export function convertContainerStatuses(
  pod: Pod,
  specs: readonly Container[],
  runtime: readonly ContainerRuntimeState[],
  oldStatuses: readonly ContainerStatus[] | undefined,
  facts: PodFacts,
  isInit: boolean,
  opts: ConvertOptions,
): ContainerStatus[] {
  const hasInit = (pod.spec.initContainers ?? []).length > 0;
  const defaultReason = hasInit ? Reason.PodInitializing : Reason.ContainerCreating;
  const policy = pod.spec.restartPolicy ?? 'Always';
  const deleting = pod.metadata.deletionTimestamp !== undefined;
  const out: ContainerStatus[] = [];
  for (const spec of specs) {
    const old = oldStatuses?.find((s) => s.name === spec.name);
    let status: ContainerStatus = {
      name: spec.name,
      state: { waiting: { reason: defaultReason } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: spec.image,
      imageID: '',
    };
    if (old !== undefined) {
      if (old.state.terminated !== undefined) status = structuredClone(old);
      else {
        status.restartCount = old.restartCount;
        status.lastState = structuredClone(old.lastState);
      }
    }
    const history = historyOf(runtime, spec.name);
    const [newest, previous] = history;
    if (newest !== undefined) {
      const { state, restartFromOld } = stateOf(newest, old, opts);
      status = {
        name: spec.name,
        state,
        lastState: previous === undefined ? status.lastState : stateOf(previous, undefined, opts).state,
        ready: false,
        restartCount: restartFromOld && old !== undefined ? old.restartCount : newest.restartCount,
        image: spec.image,
        imageID: newest.imageRef,
        containerID: containerId(newest, opts),
      };
    }
    const completedInit = isInit && newest?.state === 'exited' && newest.exitCode === 0;
    const waiting = facts.waiting.get(spec.name);
    if (waiting !== undefined && !completedInit && shouldRestart(newest, policy, deleting)) {
      if (status.state.terminated !== undefined) status.lastState = status.state;
      status.state = { waiting: waiting.message === undefined ? { reason: waiting.reason } : { reason: waiting.reason, message: waiting.message } };
    }
    applyProbeResults(status, facts, isInit);
    out.push(status);
  }
  if (!isInit) out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/** started and ready as upstream's prober manager sets them. */
function applyProbeResults(status: ContainerStatus, facts: PodFacts, isInit: boolean): void {
  const running = status.state.running !== undefined;
  const started = running && (facts.started.get(status.name) ?? true);
  status.started = started;
  if (isInit) {
    status.ready = status.state.terminated !== undefined && status.state.terminated.exitCode === 0;
    return;
  }
  status.ready = started && (facts.readiness.get(status.name) ?? true);
}
