// The endpoints a Service wants, from its pods (upstream pkg/controller/endpointslice utils.go and
// pkg/api/v1/pod FindPort): which pods count, the endpoint of a pod, and the ports of that pod,
// resolved per pod because a named targetPort can map to different numbers in different pods.
// Pure.
import type { AddressType, Endpoint, EndpointPort, Pod, Service, ServicePort } from './model.js';
import { addressTypeOf } from './model.js';

/** Upstream ShouldPodBeInEndpoints: not terminal, has an IP; terminating only when asked. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (pod.phase === 'Succeeded' || pod.phase === 'Failed') return false;
  if (pod.podIPs.length === 0) return false;
  if (!includeTerminating && pod.terminating) return false;
  return true;
}

/** The container port a service port reaches in this pod; undefined when a named port is absent. */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const tp = sp.targetPort;
  if (tp === undefined) return sp.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  const found = pod.ports.find((p) => p.name === tp && p.protocol === sp.protocol);
  return found?.containerPort;
}

/** The ports of a pod's endpoints; a service port that does not resolve is left out. */
export function endpointPorts(service: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of service.ports) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ name: sp.name, port, protocol: sp.protocol, ...(sp.appProtocol === undefined ? {} : { appProtocol: sp.appProtocol }) });
  }
  return out;
}

/** The pod's address of this family, if it has one. */
export function podAddress(pod: Pod, type: AddressType): string | undefined {
  return pod.podIPs.find((ip) => addressTypeOf(ip) === type);
}

/** Upstream ShouldSetHostname: the pod names this (headless) service as its subdomain. */
export function shouldSetHostname(pod: Pod, service: Service): boolean {
  return pod.hostname !== '' && pod.subdomain === service.name && pod.namespace === service.namespace;
}

export function podToEndpoint(pod: Pod, service: Service, address: string): Endpoint {
  const serving = service.publishNotReadyAddresses || pod.ready;
  // "ready" is never true for a terminating pod unless publishNotReadyAddresses is set.
  const ready = service.publishNotReadyAddresses || (serving && !pod.terminating);
  return {
    addresses: [address],
    conditions: { ready, serving, terminating: pod.terminating },
    ...(shouldSetHostname(pod, service) ? { hostname: pod.hostname } : {}),
    ...(pod.nodeName === '' ? {} : { nodeName: pod.nodeName }),
    targetRef: { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid },
  };
}

/** Identity of an endpoint within a service (upstream hashEndpoint): addresses, hostname, target. */
export function endpointKey(e: Endpoint): string {
  return JSON.stringify([[...e.addresses].sort(), e.hostname ?? '', e.targetRef?.namespace ?? '', e.targetRef?.name ?? '']);
}

/** Identity of a port list, independent of order. */
export function portsKey(ports: EndpointPort[]): string {
  return JSON.stringify(ports.map((p) => [p.name, p.protocol, p.port, p.appProtocol ?? '']).sort());
}

export function endpointsEqual(a: Endpoint, b: Endpoint): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(e: Endpoint): unknown[] {
  return [[...e.addresses].sort(), e.conditions.ready, e.conditions.serving, e.conditions.terminating, e.hostname ?? '', e.nodeName ?? '', e.targetRef?.uid ?? ''];
}

export interface PortGroup {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

/**
 * The desired endpoints of one address type, grouped by their resolved port list (pods whose
 * ports resolve differently end up in different slices). Pods sorted by name for stable output.
 */
export function desiredGroups(service: Service, pods: Pod[], type: AddressType): Map<string, PortGroup> {
  const groups = new Map<string, PortGroup>();
  const sorted = [...pods].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const pod of sorted) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const address = podAddress(pod, type);
    if (address === undefined) continue;
    const ports = endpointPorts(service, pod);
    const key = portsKey(ports);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(podToEndpoint(pod, service, address));
  }
  return groups;
}
