// Downward API values for env vars and downwardAPI volumes, as upstream kubelet resolves them:
// fieldRef (kubelet_pods.go podFieldSelectorRuntimeValue + fieldpath.ExtractFieldPathAsString) and
// resourceFieldRef (resource.ExtractContainerResourceValue, with limits defaulted to the node's
// allocatable as kubelet's defaultPodLimitsForDownwardAPI does).
import type { Container, Pod, ResourceFieldSelector } from '../api/pod-types.js';
import { parseQuantityExact, scaledValue } from '../api/quantity.js';
import { ErrorCode, NodeletError } from '../base/errors.js';

export interface FieldRefContext {
  hostIP?: string;
  /** All host IPs (status.hostIPs); defaults to [hostIP]. */
  hostIPs?: string[];
  podIPs?: string[];
  nodeName?: string;
}

export interface NodeAllocatable {
  cpu: string;
  memory: string;
  'ephemeral-storage'?: string;
}

/** fieldpath.FormatMap: `key="value"` lines in key order. */
export function formatMap(m: Record<string, string> | undefined): string {
  if (m === undefined) return '';
  return Object.keys(m)
    .sort()
    .map((k) => `${k}=${JSON.stringify(m[k] ?? '')}`)
    .join('\n');
}

/** fieldpath.SplitMaybeSubscriptedPath: "metadata.labels['k']" → ['metadata.labels', 'k']. */
function splitSubscript(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return [s.slice(0, at), s.slice(at + 2)];
}

function bad(message: string): NodeletError {
  return new NodeletError(ErrorCode.InvalidArgument, message);
}

/** The string value of a pod fieldRef; throws InvalidArgument for paths upstream does not support. */
export function resolveFieldRef(pod: Pod, fieldPath: string, ctx: FieldRefContext): string {
  const podIPs = ctx.podIPs ?? pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  const hostIPs =
    ctx.hostIPs ?? (ctx.hostIP !== undefined ? [ctx.hostIP] : undefined) ?? pod.status?.hostIPs?.map((h) => h.ip) ??
    (pod.status?.hostIP ? [pod.status.hostIP] : []);
  switch (fieldPath) {
    case 'spec.nodeName':
      return pod.spec.nodeName ?? ctx.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
      return hostIPs[0] ?? '';
    case 'status.hostIPs':
      return hostIPs.join(',');
    case 'status.podIP':
      return podIPs[0] ?? '';
    case 'status.podIPs':
      return podIPs.join(',');
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
  }
  const sub = splitSubscript(fieldPath);
  if (sub !== undefined) {
    const [path, key] = sub;
    if (path === 'metadata.labels') return pod.metadata.labels?.[key] ?? '';
    if (path === 'metadata.annotations') return pod.metadata.annotations?.[key] ?? '';
    throw bad(`fieldPath "${fieldPath}" does not support subscript`);
  }
  throw bad(`unsupported fieldPath: ${fieldPath}`);
}

function findContainer(pod: Pod, name: string): Container | undefined {
  return pod.spec.containers.find((c) => c.name === name) ?? pod.spec.initContainers?.find((c) => c.name === name);
}

const DEFAULTED = ['cpu', 'memory', 'ephemeral-storage'] as const;

/**
 * The string value of a resourceFieldRef for the named container (the selector's containerName
 * wins). Unset limits are the node's allocatable; unset requests default to the limits the spec
 * sets (API defaulting). CPU is divided in millicores and memory/storage in bytes, both rounded up.
 */
export function resolveResourceFieldRef(
  pod: Pod,
  containerName: string,
  sel: ResourceFieldSelector,
  nodeAllocatable: NodeAllocatable,
): string {
  const name = sel.containerName !== undefined && sel.containerName !== '' ? sel.containerName : containerName;
  const container = findContainer(pod, name);
  if (container === undefined) throw bad(`container ${name} not found in pod ${pod.metadata.namespace}/${pod.metadata.name}`);
  const dot = sel.resource.indexOf('.');
  const kind = sel.resource.slice(0, dot);
  const resource = sel.resource.slice(dot + 1);
  if (dot <= 0 || (kind !== 'limits' && kind !== 'requests') || !(DEFAULTED as readonly string[]).includes(resource)) {
    throw bad(`unsupported container resource : ${sel.resource}`);
  }
  const specLimits = container.resources?.limits ?? {};
  let value: string | undefined;
  if (kind === 'limits') {
    value = specLimits[resource] ?? nodeAllocatable[resource as keyof NodeAllocatable];
  } else {
    value = container.resources?.requests?.[resource] ?? specLimits[resource];
  }
  // A zero (or unset) divisor means 1, as upstream compares it with the zero Quantity.
  let divisor = parseQuantityExact(sel.divisor ?? '1');
  if (divisor.num === 0n) divisor = { num: 1n, den: 1n };
  const q = parseQuantityExact(value ?? '0');
  if (resource === 'cpu') {
    // convertResourceCPUToString: ceil(milli / divisorMilli)
    return String(Math.ceil(scaledValue(q, 3) / scaledValue(divisor, 3)));
  }
  return String(Math.ceil(scaledValue(q, 0) / scaledValue(divisor, 0)));
}
