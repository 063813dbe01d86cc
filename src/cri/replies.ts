// What the runtime answers, after decoding (decode.ts). Timestamps are epoch nanoseconds as
// bigint, 0n meaning "not set" as in CRI.
import type {
  CgroupDriver,
  ContainerEventType,
  ContainerState,
  ImageSpec,
  Labels,
  LinuxContainerResources,
  Mount,
  NamespaceOption,
  PodSandboxState,
  StopSignal,
} from './types.js';

export interface VersionInfo {
  /** The CRI API version the runtime speaks, e.g. "v1". */
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface RuntimeCondition {
  /** "RuntimeReady" and "NetworkReady" are the ones a node needs. */
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

export interface RuntimeHandlerInfo {
  /** "" is the default handler. */
  name: string;
  recursiveReadOnlyMounts: boolean;
  userNamespaces: boolean;
}

export interface RuntimeStatusInfo {
  conditions: RuntimeCondition[];
  /** JSON values, filled only for verbose requests. */
  info: Labels;
  runtimeHandlers: RuntimeHandlerInfo[];
}

export interface RuntimeConfigInfo {
  /** Undefined when the runtime does not say. */
  cgroupDriver: CgroupDriver | undefined;
}

export interface PodSandboxMetadataInfo {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface ContainerMetadataInfo {
  name: string;
  attempt: number;
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadataInfo;
  state: PodSandboxState;
  createdAt: bigint;
  labels: Labels;
  annotations: Labels;
  runtimeHandler: string;
}

export interface PodSandboxStatus extends PodSandbox {
  /** Undefined for host-network pods and runtimes that leave networking to others. */
  network: { ip: string; additionalIps: string[] } | undefined;
  namespaceOptions: NamespaceOption | undefined;
}

export interface PodSandboxStatusResult {
  status: PodSandboxStatus;
  info: Labels;
  /** Only filled by runtimes that support evented PLEG. */
  containersStatuses: ContainerStatus[];
  timestamp: bigint;
}

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadataInfo;
  image: ImageSpec;
  imageRef: string;
  imageId: string;
  state: ContainerState;
  createdAt: bigint;
  labels: Labels;
  annotations: Labels;
}

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadataInfo;
  state: ContainerState;
  createdAt: bigint;
  startedAt: bigint;
  finishedAt: bigint;
  /** Meaningful once finishedAt is set. */
  exitCode: number;
  image: ImageSpec;
  imageRef: string;
  imageId: string;
  /** "OOMKilled" for the cgroup OOM killer. */
  reason: string;
  message: string;
  labels: Labels;
  annotations: Labels;
  mounts: Mount[];
  logPath: string;
  resources: LinuxContainerResources | undefined;
  stopSignal: StopSignal;
}

export interface ContainerStatusResult {
  status: ContainerStatus;
  /** JSON values (e.g. "info" with the pid), filled only for verbose requests. */
  info: Labels;
}

export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  /** The image's default uid, when it names one by number. */
  uid: number | undefined;
  username: string;
  spec: ImageSpec | undefined;
  pinned: boolean;
}

export interface FilesystemUsage {
  timestamp: bigint;
  mountpoint: string;
  usedBytes: number | undefined;
  inodesUsed: number | undefined;
}

export interface ImageFsInfo {
  imageFilesystems: FilesystemUsage[];
  containerFilesystems: FilesystemUsage[];
}

export interface ContainerStats {
  id: string;
  metadata: ContainerMetadataInfo;
  labels: Labels;
  annotations: Labels;
  cpu: { timestamp: bigint; usageCoreNanoSeconds: bigint | undefined; usageNanoCores: number | undefined } | undefined;
  memory:
    | {
        timestamp: bigint;
        workingSetBytes: number | undefined;
        availableBytes: number | undefined;
        usageBytes: number | undefined;
        rssBytes: number | undefined;
        pageFaults: number | undefined;
        majorPageFaults: number | undefined;
      }
    | undefined;
  writableLayer: FilesystemUsage | undefined;
}

export interface ContainerEvent {
  containerId: string;
  type: ContainerEventType;
  createdAt: bigint;
  podSandboxStatus: PodSandboxStatus | undefined;
  containersStatuses: ContainerStatus[];
}
