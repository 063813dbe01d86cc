// The pod phase from container statuses, as upstream kubelet's getPhase:
//  - Failed when an init container failed and restartPolicy is Never;
//  - Pending while init containers are incomplete (and no app container has started) or an app
//    container waits without ever having run;
//  - Running once all app containers have started and one runs;
//  - with every app container stopped: Running for restartPolicy Always (they restart), else
//    Succeeded when all exited 0, Failed for Never, Running for OnFailure (restarting);
//    a terminal pod (the worker has stopped it for good) is Succeeded or Failed whatever the policy.
import type { ContainerStatus, PodPhase, PodSpec } from '../../api/pod-types.js';

export function hasAnyAppContainerStarted(spec: PodSpec, statuses: readonly ContainerStatus[]): boolean {
  const names = new Set(spec.containers.map((c) => c.name));
  return statuses.some((s) => names.has(s.name) && (s.state.running !== undefined || s.state.terminated !== undefined));
}

export function getPhase(spec: PodSpec, statuses: readonly ContainerStatus[], podIsTerminal: boolean, isStatic: boolean): PodPhase {
  const byName = new Map(statuses.map((s) => [s.name, s]));
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of spec.initContainers ?? []) {
    const s = byName.get(c.name);
    if (s === undefined || s.state.running !== undefined) pendingInit++;
    else if (s.state.terminated !== undefined) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state.waiting !== undefined && s.lastState.terminated !== undefined) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }

  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.containers) {
    const s = byName.get(c.name);
    if (s === undefined) unknown++;
    else if (s.state.running !== undefined) running++;
    else if (s.state.terminated !== undefined) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting !== undefined) {
      if (s.lastState.terminated !== undefined) stopped++;
      else waiting++;
    } else unknown++;
  }

  const policy = spec.restartPolicy ?? 'Always';
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if ((pendingInit > 0 && !hasAnyAppContainerStarted(spec, statuses)) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    // A terminal pod's containers will not restart whatever the policy (static pods excepted, as upstream).
    if (podIsTerminal && !isStatic) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}
