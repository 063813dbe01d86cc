// Reads PodRuntimeState from the CRI: sandboxes and containers that carry the agent's pod labels.
// Container details (exit code, times, reason) need one ContainerStatus call each; they are cached
// per (id, state), since a container's status only changes when its state does, so a steady-state
// relist costs two List calls.
//
// It also keeps the newest state read of each pod (by a relist or a readPod), as upstream's pod
// cache: a pod worker woken by PLEG plans from the relist it was woken by instead of reading the
// pod again. Reads and changes are ordered by one counter: a read is stamped when its List calls
// go out, a change (changed(uid), after a mutating call ends) when it ends, and a cached state is
// served only if it was read after the pod's last change, so a worker never plans from a state
// that misses its own calls.
import { isNodeletError } from '../base/errors.js';
import type { Container, PodSandbox } from '../cri/replies.js';
import type { Runtime } from '../cri/runtime.js';
import type { ContainerState, Labels } from '../cri/types.js';
import { PodAnnotation, PodLabel } from './labels.js';
import type { ContainerRuntimeState, PodRuntimeState, RuntimeContainerState } from './runtime-state.js';

interface CachedPod {
  /** undefined: the runtime had nothing for the pod. */
  state: PodRuntimeState | undefined;
  /** The read's stamp (when its List calls went out). */
  at: number;
}

interface CachedContainer {
  state: ContainerState;
  value: ContainerRuntimeState;
}

const STATE: Record<ContainerState, RuntimeContainerState> = {
  CONTAINER_CREATED: 'created',
  CONTAINER_RUNNING: 'running',
  CONTAINER_EXITED: 'exited',
  CONTAINER_UNKNOWN: 'unknown',
};

export class RuntimeReader {
  private readonly containers = new Map<string, CachedContainer>();
  private readonly sandboxIps = new Map<string, string[]>();
  private readonly pods = new Map<string, CachedPod>();
  /** Stamp of each pod's last change, until a relist has read past it. */
  private readonly changes = new Map<string, number>();
  private clock = 0;
  /** Stamp of the newest relist: a pod it did not find has no cached state older than this. */
  private relistAt = 0;

  constructor(private readonly deps: { runtime: Runtime }) {}

  /** Every pod the runtime has for the agent, by pod uid. */
  async readAll(signal?: AbortSignal): Promise<Map<string, PodRuntimeState>> {
    const at = ++this.clock;
    const [sandboxes, containers] = await Promise.all([
      this.deps.runtime.listPodSandbox({}, { signal }),
      this.deps.runtime.listContainers({}, { signal }),
    ]);
    const pods = await this.assemble(sandboxes, containers, signal);
    this.forget(new Set(containers.map((c) => c.id)), new Set(sandboxes.map((s) => s.id)));
    for (const [uid, pod] of pods) this.remember(uid, pod, at);
    // Pods the relist did not find: no state older than it stays (a later readPod reads them afresh).
    for (const [uid, cached] of this.pods) if (cached.at < at && !pods.has(uid)) this.pods.delete(uid);
    for (const [uid, changedAt] of this.changes) if (changedAt < at) this.changes.delete(uid);
    this.relistAt = Math.max(this.relistAt, at);
    return pods;
  }

  /** One pod's state (empty lists when the runtime has nothing for it). */
  async readPod(uid: string, signal?: AbortSignal): Promise<PodRuntimeState | undefined> {
    const at = ++this.clock;
    const labelSelector = { [PodLabel.uid]: uid };
    const [sandboxes, containers] = await Promise.all([
      this.deps.runtime.listPodSandbox({ labelSelector }, { signal }),
      this.deps.runtime.listContainers({ labelSelector }, { signal }),
    ]);
    const pod = (await this.assemble(sandboxes, containers, signal)).get(uid);
    this.remember(uid, pod, at);
    return pod;
  }

  /**
   * The newest state read of the pod, if it was read after the pod's last change (changed());
   * undefined when there is none such (then readPod). `{ state: undefined }`: the runtime had nothing.
   */
  cachedPod(uid: string): { state: PodRuntimeState | undefined } | undefined {
    const cached = this.pods.get(uid);
    if (cached === undefined || cached.at < (this.changes.get(uid) ?? 0)) return undefined;
    return { state: cached.state };
  }

  /**
   * Whether the runtime is known to have nothing for the pod: a relist ran, found nothing for it,
   * and no change of the pod has ended since that relist began (so a new pod's first sync need
   * not ask). Callers hold the pod's one in-flight operation, so no change is under way.
   */
  knownAbsent(uid: string): boolean {
    return this.relistAt > 0 && !this.pods.has(uid) && !this.changes.has(uid);
  }

  /** A call that changes the pod in the runtime has ended (successfully or not): its cached state is stale. */
  changed(uid: string): void {
    this.changes.set(uid, ++this.clock);
  }

  /** The IPs of a sandbox just started (from its PodSandboxStatus), so the next read need not ask again. */
  sandboxStarted(id: string, ips: string[]): void {
    this.sandboxIps.set(id, ips);
  }

  private remember(uid: string, state: PodRuntimeState | undefined, at: number): void {
    const cached = this.pods.get(uid);
    // Only newer reads replace; a read older than the last relist that found no such pod is dropped.
    if (cached === undefined ? at < this.relistAt : at < cached.at) return;
    this.pods.set(uid, { state, at });
  }

  private async assemble(sandboxes: PodSandbox[], containers: Container[], signal?: AbortSignal): Promise<Map<string, PodRuntimeState>> {
    const pods = new Map<string, PodRuntimeState>();
    const podFor = (labels: Labels): PodRuntimeState | undefined => {
      const uid = labels[PodLabel.uid];
      if (uid === undefined || uid === '') return undefined;
      let pod = pods.get(uid);
      if (pod === undefined) {
        pod = { uid, name: labels[PodLabel.name] ?? '', namespace: labels[PodLabel.namespace] ?? '', sandboxes: [], containers: [] };
        pods.set(uid, pod);
      }
      return pod;
    };
    await Promise.all(
      sandboxes.map(async (s) => {
        const pod = podFor(s.labels);
        if (pod === undefined) return;
        const ready = s.state === 'SANDBOX_READY';
        pod.sandboxes.push({ id: s.id, attempt: s.metadata.attempt, ready, createdAt: s.createdAt, ips: ready ? await this.sandboxIpsOf(s.id, signal) : [] });
      }),
    );
    await Promise.all(
      containers.map(async (c) => {
        const pod = podFor(c.labels);
        if (pod === undefined) return;
        const value = await this.containerState(c, signal);
        if (value !== undefined) pod.containers.push(value);
      }),
    );
    for (const pod of pods.values()) {
      pod.sandboxes.sort((a, b) => (a.createdAt === b.createdAt ? b.attempt - a.attempt : a.createdAt > b.createdAt ? -1 : 1));
      pod.containers.sort((a, b) => (a.createdAt === b.createdAt ? b.attempt - a.attempt : a.createdAt > b.createdAt ? -1 : 1));
    }
    return pods;
  }

  private async sandboxIpsOf(id: string, signal?: AbortSignal): Promise<string[]> {
    const known = this.sandboxIps.get(id);
    if (known !== undefined) return known;
    try {
      const { status } = await this.deps.runtime.podSandboxStatus(id, { signal });
      const ips = status.network === undefined ? [] : [status.network.ip, ...status.network.additionalIps].filter((ip) => ip !== '');
      this.sandboxIps.set(id, ips);
      return ips;
    } catch (err) {
      if (isNodeletError(err, 'NotFound')) return [];
      throw err;
    }
  }

  private async containerState(c: Container, signal?: AbortSignal): Promise<ContainerRuntimeState | undefined> {
    const cached = this.containers.get(c.id);
    if (cached !== undefined && cached.state === c.state) return cached.value;
    let status;
    try {
      status = (await this.deps.runtime.containerStatus(c.id, { signal })).status;
    } catch (err) {
      if (isNodeletError(err, 'NotFound')) return undefined; // removed between list and status
      throw err;
    }
    const annotations = status.annotations;
    const restartCount = Number.parseInt(annotations[PodAnnotation.restartCount] ?? '', 10);
    const value: ContainerRuntimeState = {
      id: c.id,
      name: c.metadata.name,
      attempt: c.metadata.attempt,
      sandboxId: c.podSandboxId,
      state: STATE[status.state],
      createdAt: status.createdAt,
      startedAt: status.startedAt,
      finishedAt: status.finishedAt,
      exitCode: status.exitCode,
      reason: status.reason,
      message: status.message,
      image: status.image.image,
      imageRef: status.imageRef,
      hash: annotations[PodAnnotation.containerHash] ?? '',
      restartCount: Number.isFinite(restartCount) ? restartCount : c.metadata.attempt,
      type: annotations[PodAnnotation.containerType] === 'init' ? 'init' : 'app',
    };
    this.containers.set(c.id, { state: status.state, value });
    return value;
  }

  private forget(liveContainers: Set<string>, liveSandboxes: Set<string>): void {
    for (const id of this.containers.keys()) if (!liveContainers.has(id)) this.containers.delete(id);
    for (const id of this.sandboxIps.keys()) if (!liveSandboxes.has(id)) this.sandboxIps.delete(id);
  }
}
