// The runtime's view of one pod, read from CRI (sandboxes and containers carrying the agent's
// labels). The pod worker plans from it, PLEG diffs successive snapshots of it, and the status
// generator turns it into a PodStatus. Built by runtime-reader.ts; plain data, so tests build it by hand.
export interface SandboxState {
  id: string;
  attempt: number;
  ready: boolean;
  /** Nanoseconds since the epoch, as CRI gives them. */
  createdAt: bigint;
  /** The pod IPs the network plugin gave (empty for host network or before it is known). */
  ips: string[];
}

export type RuntimeContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerRuntimeState {
  id: string;
  name: string;
  /** CRI metadata attempt: 0 for the first run of a container, +1 per restart. */
  attempt: number;
  sandboxId: string;
  state: RuntimeContainerState;
  /** Nanoseconds since the epoch; 0n when not yet. */
  createdAt: bigint;
  startedAt: bigint;
  finishedAt: bigint;
  exitCode: number;
  /** CRI's reason ('OOMKilled', 'Completed', 'Error', ...) and message. */
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  /** Spec hash annotation: the container spec this was created from. */
  hash: string;
  /** restartCount annotation. */
  restartCount: number;
  /** 'init' or 'app' (annotation; 'app' when absent). */
  type: 'init' | 'app';
}

export interface PodRuntimeState {
  uid: string;
  name: string;
  namespace: string;
  /** Newest first. */
  sandboxes: SandboxState[];
  /** Newest first within each name. */
  containers: ContainerRuntimeState[];
}
