// The CRI calls that change one pod in the runtime, as PodSync makes them. Each tells the reader
// when it ends (successfully or not), so that no cached state read before it is planned from, and
// `made` says whether a pass called any: a pass that changed nothing need not read the pod again.
import type { RunPodSandboxOptions, Runtime, CallOptions } from '../cri/runtime.js';
import type { ContainerConfig, PodSandboxConfig } from '../cri/types.js';

export interface ChangeListener {
  /** A call that changes pod `uid` has ended. */
  changed(uid: string): void;
}

export type PodMutatingCalls = Pick<Runtime, 'runPodSandbox' | 'stopPodSandbox' | 'removePodSandbox' | 'createContainer' | 'startContainer' | 'stopContainer' | 'removeContainer'>;

export class PodChanges implements PodMutatingCalls {
  private calls = 0;

  constructor(
    private readonly runtime: PodMutatingCalls,
    private readonly listener: ChangeListener,
    private readonly uid: string,
  ) {}

  /** Whether any changing call was made (even one that failed: it may have done part of its work). */
  get made(): boolean {
    return this.calls > 0;
  }

  runPodSandbox(config: PodSandboxConfig, opts?: RunPodSandboxOptions): Promise<string> {
    return this.track(this.runtime.runPodSandbox(config, opts));
  }

  stopPodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    return this.track(this.runtime.stopPodSandbox(podSandboxId, opts));
  }

  removePodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    return this.track(this.runtime.removePodSandbox(podSandboxId, opts));
  }

  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig, opts?: CallOptions): Promise<string> {
    return this.track(this.runtime.createContainer(podSandboxId, config, sandboxConfig, opts));
  }

  startContainer(containerId: string, opts?: CallOptions): Promise<void> {
    return this.track(this.runtime.startContainer(containerId, opts));
  }

  stopContainer(containerId: string, timeoutSec: number, opts?: CallOptions): Promise<void> {
    return this.track(this.runtime.stopContainer(containerId, timeoutSec, opts));
  }

  removeContainer(containerId: string, opts?: CallOptions): Promise<void> {
    return this.track(this.runtime.removeContainer(containerId, opts));
  }

  private async track<T>(call: Promise<T>): Promise<T> {
    this.calls++;
    try {
      return await call;
    } finally {
      this.listener.changed(this.uid);
    }
  }
}
