// The Node object as kubelet writes it, computed purely from host facts, the runtime's answers
// and the previous status (for condition transition times). The effects live in
// node-registrar.ts and node-status-manager.ts.
import type { JsonObject, KubeObject } from '../../api/object.js';
import { asJson, objectAt, objectsAt, stringAt } from '../../api/json.js';
import type { Image, RuntimeCondition, RuntimeStatusInfo, VersionInfo } from '../../cri/replies.js';
import type { HostInfo } from './host-info.js';

/** What nodeInfo.kubeletVersion says; a semver the apiserver and kubectl accept. */
export const KUBELET_VERSION = 'v1.33.0-nodelet';
/** The port of the agent's HTTPS server (kubelet's default --port). */
export const KUBELET_PORT = 10250;
/** Upstream's cap on names per image in status.images. */
export const MAX_NAMES_PER_IMAGE = 5;
/** Upstream kubelet's default hard eviction thresholds, which allocatable subtracts. */
export const EVICTION_HARD_MEMORY_BYTES = 100 * 1024 * 1024;
export const EVICTION_HARD_NODEFS_FRACTION = 0.1;

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_OS = 'kubernetes.io/os';
export const LABEL_ARCH = 'kubernetes.io/arch';
export const LABEL_OS_BETA = 'beta.kubernetes.io/os';
export const LABEL_ARCH_BETA = 'beta.kubernetes.io/arch';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export type NodeCondition = {
  type: string;
  status: ConditionStatus;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
};

export type NodeAddress = { type: 'InternalIP' | 'Hostname'; address: string };
export type ContainerImage = { names: string[]; sizeBytes: number };

export type NodeSystemInfo = {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  containerRuntimeVersion: string;
  kubeletVersion: string;
  kubeProxyVersion: string;
  operatingSystem: string;
  architecture: string;
};

export type NodeStatus = {
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  conditions: NodeCondition[];
  addresses: NodeAddress[];
  daemonEndpoints: { kubeletEndpoint: { Port: number } };
  nodeInfo: NodeSystemInfo;
  images: ContainerImage[];
};

/** The runtime as one status update saw it. */
export type RuntimeObservation =
  | { readonly up: true; readonly version: VersionInfo; readonly status: RuntimeStatusInfo; readonly images: readonly Image[] | undefined }
  | { readonly up: false; readonly error: string };

export interface NodeStatusInput {
  readonly nodeName: string;
  readonly maxPods: number;
  /** -1: all images. */
  readonly maxImages: number;
  readonly host: HostInfo;
  readonly runtime: RuntimeObservation;
  readonly nowMs: number;
}

/** RFC 3339 with seconds, as metav1.Time serializes. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3339 with microseconds, as metav1.MicroTime serializes (Lease renewTime). */
export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;

/** A byte count as a BinarySI quantity in canonical form: the largest exact suffix ("8010012Ki"). */
export function formatBinarySI(bytes: number): string {
  let value = Math.max(0, Math.floor(bytes));
  let i = 0;
  while (value !== 0 && value % 1024 === 0 && i < BINARY_SUFFIXES.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value}${BINARY_SUFFIXES[i] ?? ''}`;
}

/** The labels kubelet puts on its Node (and restores on an adopted one). */
export function nodeLabels(nodeName: string, host: Pick<HostInfo, 'operatingSystem' | 'architecture'>): Record<string, string> {
  return {
    [LABEL_HOSTNAME]: nodeName,
    [LABEL_OS]: host.operatingSystem,
    [LABEL_ARCH]: host.architecture,
    [LABEL_OS_BETA]: host.operatingSystem,
    [LABEL_ARCH_BETA]: host.architecture,
  };
}

/** Why the node is not ready, in upstream kubelet's words; empty when it is ready. */
export function runtimeErrors(runtime: RuntimeObservation): string[] {
  if (!runtime.up) return ['container runtime is down'];
  const find = (type: string): RuntimeCondition | undefined => runtime.status.conditions.find((c) => c.type === type);
  const errors: string[] = [];
  const runtimeReady = find('RuntimeReady');
  if (runtimeReady === undefined) errors.push('container runtime not ready: RuntimeReady condition not reported');
  else if (!runtimeReady.status) errors.push(`container runtime not ready: ${conditionText(runtimeReady)}`);
  const networkReady = find('NetworkReady');
  if (networkReady === undefined) errors.push('container runtime network not ready: NetworkReady condition not reported');
  else if (!networkReady.status) errors.push(`container runtime network not ready: ${conditionText(networkReady)}`);
  return errors;
}

/** A CRI condition as Go's RuntimeCondition.String() prints it. */
function conditionText(c: RuntimeCondition): string {
  return `${c.type}=${String(c.status)} reason:${c.reason} message:${c.message}`;
}

/** Images by size, largest first, capped as upstream: names are digests then tags, at most 5. */
export function nodeImages(images: readonly Image[], max: number): ContainerImage[] {
  const sorted = [...images].sort((a, b) => b.size - a.size);
  const kept = max >= 0 ? sorted.slice(0, max) : sorted;
  return kept.map((img) => ({ names: [...img.repoDigests, ...img.repoTags].slice(0, MAX_NAMES_PER_IMAGE), sizeBytes: img.size }));
}

/** The conditions of a Node's status as the server has them (only what transition times need). */
export function previousConditions(node: KubeObject | undefined): Map<string, { status: string; lastTransitionTime: string }> {
  const out = new Map<string, { status: string; lastTransitionTime: string }>();
  const status = objectAt(node === undefined ? undefined : asJson(node), 'status');
  for (const c of objectsAt(status, 'conditions')) {
    const type = stringAt(c, 'type');
    if (type !== undefined) out.set(type, { status: stringAt(c, 'status') ?? '', lastTransitionTime: stringAt(c, 'lastTransitionTime') ?? '' });
  }
  return out;
}

/**
 * The whole status for this update. `previous` is the Node as last seen on the server: a
 * condition keeps its lastTransitionTime while its status stays the same; the heartbeat is now.
 * While the runtime is down, nodeInfo keeps the runtime version last reported.
 */
export function buildNodeStatus(input: NodeStatusInput, previous?: KubeObject): NodeStatus {
  const { host, runtime, nowMs } = input;
  const now = rfc3339(nowMs);
  const prev = previousConditions(previous);
  const condition = (type: string, status: ConditionStatus, reason: string, message: string): NodeCondition => {
    const before = prev.get(type);
    const lastTransitionTime = before !== undefined && before.status === status && before.lastTransitionTime !== '' ? before.lastTransitionTime : now;
    return { type, status, lastHeartbeatTime: now, lastTransitionTime, reason, message };
  };

  const errors = runtimeErrors(runtime);
  const conditions = [
    condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    // Ready stays last, as upstream keeps it.
    errors.length === 0
      ? condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
      : condition('Ready', 'False', 'KubeletNotReady', errors.join(',')),
  ];

  const capacity: Record<string, string> = {
    cpu: String(host.cpuCount),
    'ephemeral-storage': formatBinarySI(host.ephemeralStorageBytes),
    memory: formatBinarySI(host.memoryBytes),
    pods: String(input.maxPods),
  };
  const allocatable: Record<string, string> = {
    cpu: String(host.cpuCount),
    'ephemeral-storage': formatBinarySI(host.ephemeralStorageBytes - Math.floor(host.ephemeralStorageBytes * EVICTION_HARD_NODEFS_FRACTION)),
    memory: formatBinarySI(host.memoryBytes - EVICTION_HARD_MEMORY_BYTES),
    pods: String(input.maxPods),
  };

  const addresses: NodeAddress[] = [];
  if (host.internalIP !== undefined) addresses.push({ type: 'InternalIP', address: host.internalIP });
  addresses.push({ type: 'Hostname', address: input.nodeName });

  const previousRuntimeVersion = stringAt(objectAt(objectAt(previous === undefined ? undefined : asJson(previous), 'status'), 'nodeInfo'), 'containerRuntimeVersion');
  const containerRuntimeVersion = runtime.up
    ? `${runtime.version.runtimeName}://${runtime.version.runtimeVersion}`
    : previousRuntimeVersion !== undefined && previousRuntimeVersion !== ''
      ? previousRuntimeVersion
      : 'Unknown';

  return {
    capacity,
    allocatable,
    conditions,
    addresses,
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      machineID: host.machineID,
      systemUUID: host.systemUUID,
      bootID: host.bootID,
      kernelVersion: host.kernelVersion,
      osImage: host.osImage,
      containerRuntimeVersion,
      kubeletVersion: KUBELET_VERSION,
      // Upstream stopped reporting it (DisableNodeKubeProxyVersion); the field stays, empty.
      kubeProxyVersion: '',
      operatingSystem: host.operatingSystem,
      architecture: host.architecture,
    },
    images: runtime.up && runtime.images !== undefined ? nodeImages(runtime.images, input.maxImages) : [],
  };
}

/** Whether two statuses differ in anything but the conditions' heartbeat times. */
export function nodeStatusChanged(a: NodeStatus | undefined, b: NodeStatus): boolean {
  if (a === undefined) return true;
  const strip = (s: NodeStatus): NodeStatus => ({ ...s, conditions: s.conditions.map((c) => ({ ...c, lastHeartbeatTime: '' })) });
  return JSON.stringify(strip(a)) !== JSON.stringify(strip(b));
}

/** The Node to create on registration. */
export function initialNode(nodeName: string, podCIDR: string, host: HostInfo, status: NodeStatus): KubeObject {
  const spec: JsonObject = podCIDR === '' ? {} : { podCIDR, podCIDRs: [podCIDR] };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: nodeName, labels: nodeLabels(nodeName, host) },
    spec,
    status,
  };
}
