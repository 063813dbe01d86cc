// The seam between the agent and a container runtime, in CRI's own terms. Implemented by the CRI
// client (client.ts), which talks to containerd or to nodelet's Docker shim alike; tests can fake it.
//
// Common to every method:
// - Failures are NodeletErrors with a stable code: NotFound, Unavailable (runtime down or socket
//   missing), DeadlineExceeded, Cancelled (the signal fired), Unimplemented (the runtime lacks the
//   RPC), InvalidArgument, ... Callers branch on `code`.
// - `signal` cancels the call in flight (the runtime sees a cancelled RPC; what it already did
//   stays done) and the promise rejects with Cancelled.
// - `timeoutMs` overrides the client's default deadline for that call.
import type { Disposable } from '../base/lifecycle.js';
import type {
  Container,
  ContainerEvent,
  ContainerStats,
  ContainerStatusResult,
  ExecSyncResult,
  Image,
  ImageFsInfo,
  PodSandbox,
  PodSandboxStatusResult,
  RuntimeConfigInfo,
  RuntimeStatusInfo,
  VersionInfo,
} from './replies.js';
import type {
  AuthConfig,
  ContainerConfig,
  ContainerFilter,
  ContainerStatsFilter,
  ImageSpec,
  LinuxContainerResources,
  PodSandboxConfig,
  PodSandboxFilter,
} from './types.js';

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface VerboseOptions extends CallOptions {
  /** Ask for the runtime's `info` map (JSON strings, runtime-specific). */
  verbose?: boolean;
}

export interface RunPodSandboxOptions extends CallOptions {
  /** RuntimeClass handler; empty or unset selects the runtime's default. */
  runtimeHandler?: string;
}

export interface PullImageOptions extends CallOptions {
  auth?: AuthConfig;
  /** The pod's sandbox config, so the runtime can pull in the pod's context. */
  sandboxConfig?: PodSandboxConfig;
}

export interface StreamRequest {
  containerId: string;
  cmd?: string[];
  tty?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

/** An image by reference (name, digest or id) or as a full spec. */
export type ImageRef = string | ImageSpec;

export interface Runtime extends Disposable {
  // ---- runtime ----

  /** Name and versions of the runtime; the cheapest liveness check. */
  version(opts?: CallOptions): Promise<VersionInfo>;
  /** Runtime conditions (RuntimeReady, NetworkReady) and handlers. */
  status(opts?: VerboseOptions): Promise<RuntimeStatusInfo>;
  /** The runtime's cgroup driver. Unimplemented on containerd <= 1.7: callers fall back to config. */
  runtimeConfig(opts?: CallOptions): Promise<RuntimeConfigInfo>;
  /** Tells the runtime the node's pod CIDR. Idempotent. */
  updateRuntimeConfig(podCidr: string, opts?: CallOptions): Promise<void>;

  // ---- pod sandboxes ----

  /**
   * Creates and starts a sandbox (network included); resolves with its id once it is ready. Not
   * idempotent: the runtime names sandboxes after metadata (name, namespace, uid, attempt), so a
   * repeat fails while the old one exists; a new sandbox for the same pod takes attempt + 1.
   */
  runPodSandbox(config: PodSandboxConfig, opts?: RunPodSandboxOptions): Promise<string>;
  /**
   * Stops every process of the sandbox (its containers are killed) and releases its network.
   * Idempotent per CRI: stopping a stopped or missing sandbox succeeds (the client also turns a
   * runtime's NotFound into success, as containerd answers NotFound here).
   */
  stopPodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void>;
  /** Removes the sandbox and its containers (killing any still running). Idempotent: missing is success. */
  removePodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void>;
  /** Status of one sandbox; NotFound when the runtime does not know the id. */
  podSandboxStatus(podSandboxId: string, opts?: VerboseOptions): Promise<PodSandboxStatusResult>;
  /** Sandboxes matching every field set in the filter (all when none). */
  listPodSandbox(filter?: PodSandboxFilter, opts?: CallOptions): Promise<PodSandbox[]>;

  // ---- containers ----

  /**
   * Creates a container in a ready sandbox; `sandboxConfig` must be the config the sandbox was
   * run with. Resolves with the container id. Not idempotent: (name, attempt) is unique in a
   * sandbox, so a restart takes attempt + 1.
   */
  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig, opts?: CallOptions): Promise<string>;
  /** Starts a created container. Starting it again is an error (FailedPrecondition or Unknown). */
  startContainer(containerId: string, opts?: CallOptions): Promise<void>;
  /**
   * Stops the container with a grace period in seconds (0 kills at once), after which the runtime
   * kills it. The deadline is the default one plus the grace period. Idempotent: stopping a
   * stopped or missing container succeeds.
   */
  stopContainer(containerId: string, timeoutSec: number, opts?: CallOptions): Promise<void>;
  /** Removes the container, killing it if it runs. Idempotent: missing is success. */
  removeContainer(containerId: string, opts?: CallOptions): Promise<void>;
  /** Containers matching every field set in the filter (all when none). */
  listContainers(filter?: ContainerFilter, opts?: CallOptions): Promise<Container[]>;
  /** Status of one container; NotFound when the runtime does not know the id. */
  containerStatus(containerId: string, opts?: VerboseOptions): Promise<ContainerStatusResult>;
  /** Updates the container's cgroup limits in place. */
  updateContainerResources(containerId: string, resources: LinuxContainerResources, opts?: CallOptions): Promise<void>;
  /** Asks the runtime to reopen the container's log file after rotation. */
  reopenContainerLog(containerId: string, opts?: CallOptions): Promise<void>;
  /** Resource usage of the matching running containers. */
  listContainerStats(filter?: ContainerStatsFilter, opts?: CallOptions): Promise<ContainerStats[]>;

  // ---- exec and streaming ----

  /**
   * Runs `cmd` in the container to completion and returns its output (each stream capped at
   * 16 MiB by the runtime) and exit code; a non-zero exit is a result, not an error. The runtime
   * kills the command after `timeoutSec` (0: no limit). The call's deadline is `timeoutSec` plus
   * the client's exec slack, or none when timeoutSec is 0 (then only the signal ends it).
   */
  execSync(containerId: string, cmd: string[], timeoutSec: number, opts?: CallOptions): Promise<ExecSyncResult>;
  /** URL of the runtime's streaming server for an interactive exec. */
  exec(request: StreamRequest, opts?: CallOptions): Promise<string>;
  /** URL of the runtime's streaming server for attaching to the container's main process. */
  attach(request: StreamRequest, opts?: CallOptions): Promise<string>;
  /** URL of the runtime's streaming server for forwarding the given ports of the sandbox. */
  portForward(podSandboxId: string, ports: number[], opts?: CallOptions): Promise<string>;
  /**
   * Container lifecycle events as they happen (evented PLEG). Runs until the signal aborts
   * (the iteration then throws Cancelled), the runtime ends the stream (iteration ends), or fails
   * (throws; Unimplemented on runtimes without events, e.g. containerd 1.6). Leaving the loop
   * cancels the stream. Events may be missed across reconnects: relist after a failure.
   */
  containerEvents(signal?: AbortSignal): AsyncIterable<ContainerEvent>;

  // ---- images ----

  /** Pulls the image and resolves with its image ref (the id later seen as Container.imageId). */
  pullImage(image: ImageRef, opts?: PullImageOptions): Promise<string>;
  /** The image, or null when it is not present (not an error). */
  imageStatus(image: ImageRef, opts?: VerboseOptions): Promise<Image | null>;
  /** Images present, optionally only those matching `filter`. */
  listImages(filter?: ImageRef, opts?: CallOptions): Promise<Image[]>;
  /** Removes the image (all its tags). Idempotent: missing is success. */
  removeImage(image: ImageRef, opts?: CallOptions): Promise<void>;
  /** Usage of the filesystems holding images (and containers, where apart). */
  imageFsInfo(opts?: CallOptions): Promise<ImageFsInfo>;
}
