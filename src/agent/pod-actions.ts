// What to do for one pod, given its spec and what the runtime has (upstream computePodActions).
// Pure: the worker reads the runtime, asks this, then does it (pod-sync.ts). Init containers run
// one at a time in order; app containers start once every init container succeeded; a container
// whose spec hash changed is restarted; a crashed one waits out its back-off.
import type { Container, Pod } from '../api/pod-types.js';
import type { ContainerRuntimeState, PodRuntimeState, SandboxState } from './runtime-state.js';

export interface ContainerToStart {
  name: string;
  type: 'init' | 'app';
  spec: Container;
  /** Restart count the new container gets (its CRI attempt too). */
  restartCount: number;
  /** Why it starts again, for the Killing/Started event trail; undefined for a first start. */
  previous?: ContainerRuntimeState;
}

export interface ContainerToKill {
  id: string;
  name: string;
  /** A sentence for the Killing event and the log. */
  reason: string;
}

export interface PodActions {
  /** The ready sandbox to run containers in, when there is one and it stays. */
  sandbox: SandboxState | undefined;
  /** Make a new sandbox with this attempt (after stopping the old one and its containers). */
  createSandbox: { attempt: number } | undefined;
  /** Containers to stop (and remove) before starting anything. */
  kill: ContainerToKill[];
  start: ContainerToStart[];
  /** Containers that should start but wait out a crash back-off: name -> milliseconds left. */
  backoff: Map<string, { remainingMs: number; previous: ContainerRuntimeState }>;
  /** An init container failed and the restart policy forbids another try: the pod has failed. */
  initFailed: string | undefined;
}

export interface PlanInput {
  pod: Pod;
  hashOf(container: Container): string;
  runtime: PodRuntimeState | undefined;
  /** Milliseconds a restart of `name` must still wait after the previous run ended at `finishedAtMs`. */
  backoffRemaining(name: string, finishedAtMs: number): number;
}

const nsToMs = (ns: bigint): number => Number(ns / 1_000_000n);

function newestByName(containers: readonly ContainerRuntimeState[], sandboxId?: string): Map<string, ContainerRuntimeState> {
  const byName = new Map<string, ContainerRuntimeState>();
  // Input is newest first, so the first seen per name wins.
  for (const c of containers) {
    if (sandboxId !== undefined && c.sandboxId !== sandboxId) continue;
    if (!byName.has(c.name)) byName.set(c.name, c);
  }
  return byName;
}

/** Whether the restart policy wants another run of a container that exited with `exitCode`. */
export function shouldRestart(pod: Pod, exitCode: number): boolean {
  const policy = pod.spec.restartPolicy ?? 'Always';
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

/** True when the pod has nothing left to run: every app container exited and none may restart. */
export function podFinished(pod: Pod, runtime: PodRuntimeState | undefined): boolean {
  if ((pod.spec.restartPolicy ?? 'Always') === 'Always' || runtime === undefined) return false;
  const newest = newestByName(runtime.containers);
  return pod.spec.containers.every((spec) => {
    const c = newest.get(spec.name);
    return c !== undefined && c.state === 'exited' && !shouldRestart(pod, c.exitCode);
  });
}

function sandboxUsable(pod: Pod, sandbox: SandboxState | undefined): boolean {
  if (sandbox === undefined || !sandbox.ready) return false;
  return pod.spec.hostNetwork === true || sandbox.ips.length > 0;
}

export function computePodActions(input: PlanInput): PodActions {
  const { pod, runtime } = input;
  const containers = runtime?.containers ?? [];
  const allNewest = newestByName(containers);
  const nextRestartCount = (name: string): number => {
    const prev = allNewest.get(name);
    return prev === undefined ? 0 : prev.restartCount + 1;
  };
  const actions: PodActions = { sandbox: undefined, createSandbox: undefined, kill: [], start: [], backoff: new Map(), initFailed: undefined };
  const init = pod.spec.initContainers ?? [];
  const sandbox = runtime?.sandboxes[0];

  if (sandbox === undefined || !sandboxUsable(pod, sandbox)) {
    // A pod that never restarts does not get a second sandbox once its containers have run.
    if (sandbox !== undefined && (pod.spec.restartPolicy ?? 'Always') === 'Never' && containers.length > 0) {
      for (const c of containers) if (c.state === 'running') actions.kill.push({ id: c.id, name: c.name, reason: 'the pod sandbox is gone' });
      return actions;
    }
    actions.createSandbox = { attempt: sandbox === undefined ? 0 : sandbox.attempt + 1 };
    for (const c of containers) {
      if (c.state === 'running' || c.state === 'created') actions.kill.push({ id: c.id, name: c.name, reason: 'the pod sandbox changed, it will be killed and re-created' });
    }
    const first = init[0];
    if (first !== undefined) actions.start.push({ name: first.name, type: 'init', spec: first, restartCount: nextRestartCount(first.name) });
    else {
      for (const spec of pod.spec.containers) {
        // Under OnFailure a container that succeeded does not run again in the new sandbox.
        const prev = allNewest.get(spec.name);
        if (prev !== undefined && prev.state === 'exited' && !shouldRestart(pod, prev.exitCode)) continue;
        actions.start.push({ name: spec.name, type: 'app', spec, restartCount: nextRestartCount(spec.name) });
      }
    }
    return actions;
  }

  actions.sandbox = sandbox;
  const current = newestByName(containers, sandbox.id);
  // Containers left running in an older sandbox do not belong to the pod any more.
  for (const c of containers) {
    if (c.sandboxId !== sandbox.id && c.state === 'running') actions.kill.push({ id: c.id, name: c.name, reason: 'it runs in an old pod sandbox' });
  }
  const restartOrWait = (spec: Container, type: 'init' | 'app', previous: ContainerRuntimeState): void => {
    const remainingMs = input.backoffRemaining(spec.name, nsToMs(previous.finishedAt));
    if (remainingMs > 0) actions.backoff.set(spec.name, { remainingMs, previous });
    else actions.start.push({ name: spec.name, type, spec, restartCount: nextRestartCount(spec.name), previous });
  };

  // Init containers, in order; app containers only once all succeeded.
  for (const spec of init) {
    const c = current.get(spec.name);
    if (c === undefined) {
      actions.start.push({ name: spec.name, type: 'init', spec, restartCount: nextRestartCount(spec.name) });
      return actions;
    }
    if (c.state === 'running') return actions;
    if (c.state === 'created' || c.state === 'unknown') {
      actions.kill.push({ id: c.id, name: c.name, reason: `init container ${c.name} is in state ${c.state}` });
      actions.start.push({ name: spec.name, type: 'init', spec, restartCount: nextRestartCount(spec.name), previous: c });
      return actions;
    }
    if (c.exitCode === 0) continue;
    if ((pod.spec.restartPolicy ?? 'Always') === 'Never') {
      actions.initFailed = spec.name;
      return actions;
    }
    restartOrWait(spec, 'init', c);
    return actions;
  }

  for (const spec of pod.spec.containers) {
    const c = current.get(spec.name);
    if (c === undefined) {
      // After an exited run in an older sandbox, the policy still decides.
      const older = allNewest.get(spec.name);
      if (older !== undefined && older.state === 'exited' && !shouldRestart(pod, older.exitCode)) continue;
      actions.start.push({ name: spec.name, type: 'app', spec, restartCount: nextRestartCount(spec.name) });
      continue;
    }
    if (c.state === 'running') {
      if (c.hash !== '' && c.hash !== input.hashOf(spec)) {
        actions.kill.push({ id: c.id, name: c.name, reason: `Container ${c.name} definition changed, will be restarted` });
        actions.start.push({ name: spec.name, type: 'app', spec, restartCount: nextRestartCount(spec.name), previous: c });
      }
      continue;
    }
    if (c.state === 'created' || c.state === 'unknown') {
      actions.kill.push({ id: c.id, name: c.name, reason: `container ${c.name} is in state ${c.state}` });
      actions.start.push({ name: spec.name, type: 'app', spec, restartCount: nextRestartCount(spec.name), previous: c });
      continue;
    }
    if (shouldRestart(pod, c.exitCode)) restartOrWait(spec, 'app', c);
  }
  return actions;
}
