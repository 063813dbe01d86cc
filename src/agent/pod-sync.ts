// The effects of one pod sync (upstream kuberuntime SyncPod/KillPod): read the runtime, plan,
// then make the calls in order: volumes, kills, sandbox, image pulls, init or app containers.
// Failures become waiting reasons and events on the pod, never exceptions that end the worker,
// except cancellation and a runtime that is down (the worker retries those).
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, isNodeletError } from '../base/errors.js';
import type { Clock } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import type { Container, Pod } from '../api/pod-types.js';
import type { Runtime } from '../cri/runtime.js';
import type { KeyValue, Mount, PodSandboxConfig } from '../cri/types.js';
import type { ImagePuller } from './image-puller.js';
import type { KeyedBackoff } from './keyed-backoff.js';
import type { PodObjects } from './objects.js';
import { computePodActions, type ContainerToStart } from './pod-actions.js';
import { PodChanges, type PodMutatingCalls } from './pod-changes.js';
import { containerFieldPath, type PodEventSink } from './pod-events.js';
import type { RuntimeReader } from './runtime-reader.js';
import type { PodRuntimeState, SandboxState } from './runtime-state.js';

/** Upstream's minimumGracePeriodInSeconds for stopping a container. */
const MIN_GRACE_SECONDS = 2;

export interface PodVolumesLike {
  mountsFor(container: Container): Mount[];
}

/** The parts of pod sync that turn spec into CRI configs; implemented by runtime-config/. */
export interface PodConfigBuilder {
  hash(container: Container): string;
  sandboxConfig(pod: Pod, attempt: number): Promise<PodSandboxConfig>;
  env(pod: Pod, container: Container, ctx: { podIPs: string[] }, signal?: AbortSignal): Promise<KeyValue[]>;
  containerConfig(pod: Pod, start: ContainerToStart, env: KeyValue[], mounts: Mount[], imageRef: string): import('../cri/types.js').ContainerConfig;
}

export interface PodSyncDeps {
  runtime: Runtime;
  reader: RuntimeReader;
  images: ImagePuller;
  volumes: {
    setUp(pod: Pod, ctx: { podIPs: string[]; hostIP?: string }, signal?: AbortSignal): Promise<PodVolumesLike>;
    tearDown(uid: string, signal?: AbortSignal): Promise<void>;
  };
  objects: PodObjects;
  builder: PodConfigBuilder;
  events: PodEventSink;
  crashBackoff: KeyedBackoff;
  clock: Clock;
  log: Logger;
  podLogsDir: string;
  hostIP(): string | undefined;
  /**
   * A pass is about to wait on something slow (an image pull): report the pod as it stands (its
   * sandbox and IPs; containers not yet created wait as ContainerCreating, or PodInitializing),
   * as upstream's status shows during a pull. An image already present costs no such report.
   */
  progress?(pod: Pod, runtime: PodRuntimeState): void;
}

export interface SyncResult {
  runtime: PodRuntimeState | undefined;
  waiting: Map<string, { reason: string; message?: string }>;
  /** An init container failed for good (restartPolicy Never): the pod has failed. */
  initFailed: string | undefined;
  /** Sync again after this long (a back-off ends, a failed step retries); undefined: on events only. */
  retryInMs: number | undefined;
}

const nsToMs = (ns: bigint): number => Number(ns / 1_000_000n);

/** The pod's state as planned from, with the sandbox this pass runs it in put first. */
function withSandbox(state: PodRuntimeState | undefined, pod: Pod, sandbox: SandboxState): PodRuntimeState {
  const { uid, name, namespace } = pod.metadata;
  const base = state ?? { uid, name, namespace, sandboxes: [], containers: [] };
  return { ...base, sandboxes: [sandbox, ...base.sandboxes.filter((s) => s.id !== sandbox.id)] };
}

export function podLogDir(podLogsDir: string, pod: Pod): string {
  return path.join(podLogsDir, `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`);
}

export function gracePeriodSeconds(pod: Pod, override?: number): number {
  const grace = override ?? pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(grace, MIN_GRACE_SECONDS);
}

export class PodSync {
  constructor(private readonly deps: PodSyncDeps) {}

  private crashKey(pod: Pod, container: Container): string {
    return `${pod.metadata.uid}/${container.name}/${this.deps.builder.hash(container)}`;
  }

  /** The calls that change pod `uid`, reported to the reader as they end. */
  private changes(uid: string): PodChanges {
    return new PodChanges(this.deps.runtime, this.deps.reader, uid);
  }

  /**
   * One pass of making the runtime match the pod's spec. With `cachedRuntime` (PLEG woke the
   * worker: the reader has just read the pod) it plans from the reader's cached state when that
   * was read after the pod's last change, instead of reading the pod again. It reads the pod at
   * the end only if the pass called something that changes it.
   */
  async sync(pod: Pod, signal: AbortSignal, opts?: { cachedRuntime?: boolean }): Promise<SyncResult> {
    const { reader, events, builder } = this.deps;
    const uid = pod.metadata.uid;
    const runtime = this.changes(uid);
    const waiting = new Map<string, { reason: string; message?: string }>();
    const retry: number[] = [];
    // A pod new to the runtime (the usual first sync) is planned from the last relist, which found
    // nothing for it; otherwise from the relist PLEG woke us with, else from a fresh read.
    const cached = opts?.cachedRuntime === true ? reader.cachedPod(uid) : reader.knownAbsent(uid) ? { state: undefined } : undefined;
    const state = cached === undefined ? await reader.readPod(uid, signal) : cached.state;
    const reread = async (): Promise<PodRuntimeState | undefined> => (runtime.made ? reader.readPod(uid, signal) : state);
    const plan = computePodActions({
      pod,
      runtime: state,
      hashOf: (c) => builder.hash(c),
      backoffRemaining: (name, finishedAtMs) => {
        const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === name);
        return spec === undefined ? 0 : this.deps.crashBackoff.remainingMs(this.crashKey(pod, spec), finishedAtMs);
      },
    });

    const grace = gracePeriodSeconds(pod);
    await Promise.all(plan.kill.map((k) => this.killContainer(runtime, pod, k.id, k.name, grace, k.reason, signal)));

    let sandbox: SandboxState | undefined = plan.sandbox;
    let sandboxConfig: PodSandboxConfig | undefined;
    if (plan.createSandbox !== undefined) {
      for (const old of state?.sandboxes ?? []) if (old.ready) await runtime.stopPodSandbox(old.id, { signal });
      try {
        sandboxConfig = await builder.sandboxConfig(pod, plan.createSandbox.attempt);
        await mkdir(podLogDir(this.deps.podLogsDir, pod), { recursive: true });
        const id = await runtime.runPodSandbox(sandboxConfig, { signal, runtimeHandler: pod.spec.runtimeClassName ?? '' });
        const { status } = await this.deps.runtime.podSandboxStatus(id, { signal });
        const ips = status.network === undefined ? [] : [status.network.ip, ...status.network.additionalIps].filter((ip) => ip !== '');
        reader.sandboxStarted(id, ips);
        sandbox = { id, attempt: plan.createSandbox.attempt, ready: true, createdAt: status.createdAt, ips };
      } catch (err) {
        if (signal.aborted || isNodeletError(err, 'Unavailable')) throw err;
        events.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${errorMessage(err)}`);
        for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) waiting.set(c.name, { reason: 'ContainerCreating' });
        return { runtime: await reread(), waiting, initFailed: undefined, retryInMs: 5_000 };
      }
    }
    if (sandbox === undefined) return { runtime: state, waiting, initFailed: plan.initFailed, retryInMs: undefined };

    let volumes: PodVolumesLike | undefined;
    if (plan.start.length > 0) {
      try {
        // Built only when something starts: it reads resolv.conf and reports DNS warnings as events.
        sandboxConfig ??= await builder.sandboxConfig(pod, sandbox.attempt);
        volumes = await this.deps.volumes.setUp(pod, { podIPs: sandbox.ips, hostIP: this.deps.hostIP() }, signal);
      } catch (err) {
        if (signal.aborted) throw err;
        events.event(pod, 'Warning', 'FailedMount', errorMessage(err));
        for (const s of plan.start) waiting.set(s.name, { reason: 'ContainerCreating', message: errorMessage(err) });
        return { runtime: await reread(), waiting, initFailed: undefined, retryInMs: 5_000 };
      }
    }

    for (const [name, b] of plan.backoff) {
      const delaySec = Math.round(this.deps.crashBackoff.delayMs(this.crashKey(pod, findSpec(pod, name))) / 1000);
      const message = `back-off ${delaySec}s restarting failed container=${name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
      waiting.set(name, { reason: 'CrashLoopBackOff', message });
      events.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, containerFieldPath(pod, name));
      retry.push(b.remainingMs);
    }

    let reported = false;
    const beforePull = (): void => {
      if (reported || sandbox === undefined) return;
      reported = true;
      this.deps.progress?.(pod, withSandbox(state, pod, sandbox));
    };
    for (const start of plan.start) {
      if (volumes === undefined || sandboxConfig === undefined) break;
      const outcome = await this.startContainer(runtime, pod, start, sandbox, sandboxConfig, volumes, signal, beforePull);
      if (outcome !== undefined) {
        waiting.set(start.name, outcome.waiting);
        if (outcome.retryInMs !== undefined) retry.push(outcome.retryInMs);
        if (start.type === 'init') break; // later init containers wait for this one
      }
    }
    return {
      runtime: await reread(),
      waiting,
      initFailed: plan.initFailed,
      retryInMs: retry.length === 0 ? undefined : Math.max(500, Math.min(...retry)),
    };
  }

  /** Pulls, resolves env, creates and starts one container; resolves with a waiting reason when it could not. */
  private async startContainer(
    runtime: PodMutatingCalls,
    pod: Pod,
    start: ContainerToStart,
    sandbox: SandboxState,
    sandboxConfig: PodSandboxConfig,
    volumes: PodVolumesLike,
    signal: AbortSignal,
    beforePull: () => void,
  ): Promise<{ waiting: { reason: string; message?: string }; retryInMs?: number } | undefined> {
    const { events, builder } = this.deps;
    const fieldPath = containerFieldPath(pod, start.name);
    const image = await this.deps.images.ensure(pod, start.spec, sandboxConfig, signal, beforePull);
    if (!image.ok) {
      const retryInMs = this.deps.images.retryInMs(pod, start.spec.image);
      return { waiting: { reason: image.reason, message: image.message }, retryInMs: retryInMs > 0 ? retryInMs : undefined };
    }
    let env: KeyValue[];
    let mounts: Mount[];
    try {
      env = await builder.env(pod, start.spec, { podIPs: sandbox.ips }, signal);
      mounts = volumes.mountsFor(start.spec);
    } catch (err) {
      if (signal.aborted || isNodeletError(err, 'Unavailable')) throw err;
      const message = errorMessage(err);
      events.event(pod, 'Warning', 'Failed', `Error: ${message}`, fieldPath);
      return { waiting: { reason: 'CreateContainerConfigError', message }, retryInMs: 10_000 };
    }
    if (start.previous !== undefined && start.previous.state === 'exited') {
      this.deps.crashBackoff.next(this.crashKey(pod, start.spec), nsToMs(start.previous.finishedAt));
    }
    const config = builder.containerConfig(pod, start, env, mounts, image.imageRef);
    let id: string;
    try {
      if (config.logPath !== undefined) await mkdir(path.dirname(path.join(podLogDir(this.deps.podLogsDir, pod), config.logPath)), { recursive: true });
      id = await runtime.createContainer(sandbox.id, config, sandboxConfig, { signal });
    } catch (err) {
      if (signal.aborted || isNodeletError(err, 'Unavailable')) throw err;
      const message = errorMessage(err);
      events.event(pod, 'Warning', 'Failed', `Error: ${message}`, fieldPath);
      return { waiting: { reason: 'CreateContainerError', message }, retryInMs: 10_000 };
    }
    events.event(pod, 'Normal', 'Created', `Created container ${start.name}`, fieldPath);
    try {
      await runtime.startContainer(id, { signal });
    } catch (err) {
      if (signal.aborted || isNodeletError(err, 'Unavailable')) throw err;
      const message = errorMessage(err);
      events.event(pod, 'Warning', 'Failed', `Error: ${message}`, fieldPath);
      // The container exists (exited or created); the next sync restarts it under back-off.
      return { waiting: { reason: 'RunContainerError', message }, retryInMs: 1_000 };
    }
    events.event(pod, 'Normal', 'Started', `Started container ${start.name}`, fieldPath);
    if (start.previous !== undefined) await this.pruneOlder(runtime, pod, start.name, start.previous.id, signal);
    return undefined;
  }

  /** Keeps the previous run of a container (it is lastState) and removes runs older than it. */
  private async pruneOlder(runtime: PodMutatingCalls, pod: Pod, name: string, keepId: string, signal: AbortSignal): Promise<void> {
    const state = await this.deps.reader.readPod(pod.metadata.uid, signal);
    const runs = (state?.containers ?? []).filter((c) => c.name === name && c.state === 'exited');
    const keepIndex = runs.findIndex((c) => c.id === keepId);
    for (const old of runs.slice(keepIndex < 0 ? 1 : keepIndex + 1)) {
      await runtime.removeContainer(old.id, { signal }).catch((err: unknown) => {
        this.deps.log.warn('removing an old container failed', { pod: pod.metadata.name, container: name, error: errorMessage(err) });
      });
    }
  }

  private async killContainer(runtime: PodMutatingCalls, pod: Pod, id: string, name: string, graceSec: number, reason: string, signal: AbortSignal): Promise<void> {
    this.deps.events.event(pod, 'Normal', 'Killing', `Stopping container ${name}`, containerFieldPath(pod, name));
    this.deps.log.info('stopping container', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, container: name, reason, graceSec });
    await runtime.stopContainer(id, graceSec, { signal });
  }

  /** Stops every container (with the grace period) and the sandboxes. Idempotent. */
  async kill(pod: Pod, graceSec: number, signal: AbortSignal): Promise<PodRuntimeState | undefined> {
    const runtime = this.changes(pod.metadata.uid);
    const state = await this.deps.reader.readPod(pod.metadata.uid, signal);
    if (state === undefined) return undefined;
    const running = state.containers.filter((c) => c.state === 'running' || c.state === 'created');
    await Promise.all(running.map((c) => this.killContainer(runtime, pod, c.id, c.name, graceSec, 'the pod is terminating', signal)));
    for (const s of state.sandboxes) if (s.ready) await runtime.stopPodSandbox(s.id, { signal });
    return this.deps.reader.readPod(pod.metadata.uid, signal);
  }

  /** Removes what a gone pod left: sandboxes (with their containers), volumes and its log dir. */
  async cleanup(uid: string, pod: Pod | undefined, signal: AbortSignal): Promise<void> {
    const runtime = this.changes(uid);
    const state = await this.deps.reader.readPod(uid, signal);
    for (const c of state?.containers ?? []) if (c.state === 'running') await runtime.stopContainer(c.id, MIN_GRACE_SECONDS, { signal });
    for (const s of state?.sandboxes ?? []) {
      await runtime.stopPodSandbox(s.id, { signal });
      await runtime.removePodSandbox(s.id, { signal });
    }
    for (const c of state?.containers ?? []) await runtime.removeContainer(c.id, { signal });
    await this.deps.volumes.tearDown(uid, signal);
    // An orphan (no pod object any more) is named by its runtime labels.
    const logDir = pod !== undefined ? podLogDir(this.deps.podLogsDir, pod) : state !== undefined && state.name !== '' ? path.join(this.deps.podLogsDir, `${state.namespace}_${state.name}_${uid}`) : undefined;
    if (logDir !== undefined) await rm(logDir, { recursive: true, force: true });
    this.deps.images.forgetPod(uid);
    this.deps.crashBackoff.resetPrefix(`${uid}/`);
  }
}

function findSpec(pod: Pod, name: string): Container {
  const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === name);
  if (spec === undefined) throw new Error(`no container ${name} in pod ${pod.metadata.name}`);
  return spec;
}
