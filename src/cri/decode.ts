// Runtime replies (as proto-loader decodes them) into the client's types (replies.ts).
import { Reader } from './reader.js';
import type {
  Container,
  ContainerEvent,
  ContainerMetadataInfo,
  ContainerStats,
  ContainerStatus,
  FilesystemUsage,
  Image,
  PodSandbox,
  PodSandboxMetadataInfo,
  PodSandboxStatus,
} from './replies.js';
import type {
  ContainerEventType,
  ContainerState,
  IDMapping,
  ImageSpec,
  LinuxContainerResources,
  Mount,
  MountPropagation,
  NamespaceMode,
  NamespaceOption,
  PodSandboxState,
} from './types.js';

const SANDBOX_STATES: readonly PodSandboxState[] = ['SANDBOX_READY', 'SANDBOX_NOTREADY'];
const CONTAINER_STATES: readonly ContainerState[] = [
  'CONTAINER_CREATED',
  'CONTAINER_RUNNING',
  'CONTAINER_EXITED',
  'CONTAINER_UNKNOWN',
];
const EVENT_TYPES: readonly ContainerEventType[] = [
  'CONTAINER_CREATED_EVENT',
  'CONTAINER_STARTED_EVENT',
  'CONTAINER_STOPPED_EVENT',
  'CONTAINER_DELETED_EVENT',
];
const PROPAGATIONS: readonly MountPropagation[] = [
  'PROPAGATION_PRIVATE',
  'PROPAGATION_HOST_TO_CONTAINER',
  'PROPAGATION_BIDIRECTIONAL',
];
const NAMESPACE_MODES: readonly NamespaceMode[] = ['POD', 'CONTAINER', 'NODE', 'TARGET'];

export function sandboxMetadata(r: Reader): PodSandboxMetadataInfo {
  return { name: r.str('name'), uid: r.str('uid'), namespace: r.str('namespace'), attempt: r.num('attempt') };
}

export function containerMetadata(r: Reader): ContainerMetadataInfo {
  return { name: r.str('name'), attempt: r.num('attempt') };
}

export function imageSpec(r: Reader): ImageSpec {
  return {
    image: r.str('image'),
    annotations: r.map('annotations'),
    userSpecifiedImage: r.str('userSpecifiedImage'),
    runtimeHandler: r.str('runtimeHandler'),
    imageRef: r.str('imageRef'),
  };
}

export function podSandbox(r: Reader): PodSandbox {
  return {
    id: r.str('id'),
    metadata: sandboxMetadata(r.msg('metadata') ?? empty('metadata')),
    // An unknown state from a newer runtime is treated as not ready: never assume a sandbox works.
    state: r.enumOf('state', SANDBOX_STATES, 'SANDBOX_NOTREADY'),
    createdAt: r.big('createdAt'),
    labels: r.map('labels'),
    annotations: r.map('annotations'),
    runtimeHandler: r.str('runtimeHandler'),
  };
}

export function podSandboxStatus(r: Reader): PodSandboxStatus {
  const network = r.msg('network');
  const options = r.msg('linux')?.msg('namespaces')?.msg('options');
  return {
    ...podSandbox(r),
    network: network && {
      ip: network.str('ip'),
      additionalIps: network.list('additionalIps', (p) => p.str('ip')),
    },
    namespaceOptions: options && namespaceOption(options),
  };
}

function namespaceOption(r: Reader): NamespaceOption {
  return {
    network: r.enumOf('network', NAMESPACE_MODES, 'POD'),
    pid: r.enumOf('pid', NAMESPACE_MODES, 'POD'),
    ipc: r.enumOf('ipc', NAMESPACE_MODES, 'POD'),
    targetId: r.str('targetId'),
  };
}

export function container(r: Reader): Container {
  return {
    id: r.str('id'),
    podSandboxId: r.str('podSandboxId'),
    metadata: containerMetadata(r.msg('metadata') ?? empty('metadata')),
    image: imageSpec(r.msg('image') ?? empty('image')),
    imageRef: r.str('imageRef'),
    imageId: r.str('imageId'),
    state: r.enumOf('state', CONTAINER_STATES, 'CONTAINER_UNKNOWN'),
    createdAt: r.big('createdAt'),
    labels: r.map('labels'),
    annotations: r.map('annotations'),
  };
}

export function containerStatus(r: Reader): ContainerStatus {
  const linux = r.msg('resources')?.msg('linux');
  return {
    id: r.str('id'),
    metadata: containerMetadata(r.msg('metadata') ?? empty('metadata')),
    state: r.enumOf('state', CONTAINER_STATES, 'CONTAINER_UNKNOWN'),
    createdAt: r.big('createdAt'),
    startedAt: r.big('startedAt'),
    finishedAt: r.big('finishedAt'),
    exitCode: r.num('exitCode'),
    image: imageSpec(r.msg('image') ?? empty('image')),
    imageRef: r.str('imageRef'),
    imageId: r.str('imageId'),
    reason: r.str('reason'),
    message: r.str('message'),
    labels: r.map('labels'),
    annotations: r.map('annotations'),
    mounts: r.list('mounts', mount),
    logPath: r.str('logPath'),
    resources: linux && linuxResources(linux),
    stopSignal: r.enumName('stopSignal', 'RUNTIME_DEFAULT'),
  };
}

function mount(r: Reader): Mount {
  const image = r.msg('image');
  return {
    containerPath: r.str('containerPath'),
    hostPath: r.str('hostPath'),
    readonly: r.bool('readonly'),
    selinuxRelabel: r.bool('selinuxRelabel'),
    propagation: r.enumOf('propagation', PROPAGATIONS, 'PROPAGATION_PRIVATE'),
    uidMappings: r.list('uidMappings', idMapping),
    gidMappings: r.list('gidMappings', idMapping),
    recursiveReadOnly: r.bool('recursiveReadOnly'),
    ...(image ? { image: imageSpec(image) } : {}),
    imageSubPath: r.str('imageSubPath'),
  };
}

function idMapping(r: Reader): IDMapping {
  return { hostId: r.num('hostId'), containerId: r.num('containerId'), length: r.num('length') };
}

function linuxResources(r: Reader): LinuxContainerResources {
  return {
    cpuPeriod: r.num('cpuPeriod'),
    cpuQuota: r.num('cpuQuota'),
    cpuShares: r.num('cpuShares'),
    memoryLimitInBytes: r.num('memoryLimitInBytes'),
    oomScoreAdj: r.num('oomScoreAdj'),
    cpusetCpus: r.str('cpusetCpus'),
    cpusetMems: r.str('cpusetMems'),
    hugepageLimits: r.list('hugepageLimits', (h) => ({ pageSize: h.str('pageSize'), limit: h.num('limit') })),
    unified: r.map('unified'),
    memorySwapLimitInBytes: r.num('memorySwapLimitInBytes'),
  };
}

export function image(r: Reader): Image {
  const spec = r.msg('spec');
  return {
    id: r.str('id'),
    repoTags: r.strings('repoTags'),
    repoDigests: r.strings('repoDigests'),
    size: r.num('size'),
    uid: r.wrapped('uid'),
    username: r.str('username'),
    spec: spec && imageSpec(spec),
    pinned: r.bool('pinned'),
  };
}

export function filesystemUsage(r: Reader): FilesystemUsage {
  return {
    timestamp: r.big('timestamp'),
    mountpoint: r.msg('fsId')?.str('mountpoint') ?? '',
    usedBytes: r.wrapped('usedBytes'),
    inodesUsed: r.wrapped('inodesUsed'),
  };
}

export function containerStats(r: Reader): ContainerStats {
  const attrs = r.msg('attributes') ?? empty('attributes');
  const cpu = r.msg('cpu');
  const mem = r.msg('memory');
  const layer = r.msg('writableLayer');
  return {
    id: attrs.str('id'),
    metadata: containerMetadata(attrs.msg('metadata') ?? empty('metadata')),
    labels: attrs.map('labels'),
    annotations: attrs.map('annotations'),
    cpu: cpu && {
      timestamp: cpu.big('timestamp'),
      usageCoreNanoSeconds: cpu.wrappedBig('usageCoreNanoSeconds'),
      usageNanoCores: cpu.wrapped('usageNanoCores'),
    },
    memory: mem && {
      timestamp: mem.big('timestamp'),
      workingSetBytes: mem.wrapped('workingSetBytes'),
      availableBytes: mem.wrapped('availableBytes'),
      usageBytes: mem.wrapped('usageBytes'),
      rssBytes: mem.wrapped('rssBytes'),
      pageFaults: mem.wrapped('pageFaults'),
      majorPageFaults: mem.wrapped('majorPageFaults'),
    },
    writableLayer: layer && filesystemUsage(layer),
  };
}

export function containerEvent(r: Reader): ContainerEvent {
  const sandbox = r.msg('podSandboxStatus');
  return {
    containerId: r.str('containerId'),
    type: r.enumOf('containerEventType', EVENT_TYPES, 'CONTAINER_CREATED_EVENT'),
    createdAt: r.big('createdAt'),
    podSandboxStatus: sandbox && podSandboxStatus(sandbox),
    containersStatuses: r.list('containersStatuses', containerStatus),
  };
}

function empty(path: string): Reader {
  return Reader.of(undefined, path);
}
