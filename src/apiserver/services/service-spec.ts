// What a Service's spec asks of the allocators, and what it holds. Pure.
import { isJsonObject, type JsonObject, type KubeObject } from '../../api/object.js';
import { objectsAt, stringAt } from '../../api/json.js';

/** A missing type is ClusterIP (defaulting runs after allocation). */
export function serviceType(spec: JsonObject): string {
  return stringAt(spec, 'type') ?? 'ClusterIP';
}

export function needsClusterIP(spec: JsonObject): boolean {
  return serviceType(spec) !== 'ExternalName';
}

export function needsNodePorts(spec: JsonObject): boolean {
  const type = serviceType(spec);
  return type === 'NodePort' || (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

export function needsHealthCheckNodePort(spec: JsonObject): boolean {
  return serviceType(spec) === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

export interface Held {
  /** Allocated cluster IPs ("None" and empty excluded). */
  ips: string[];
  /** Node ports, health check node port included. */
  ports: number[];
}

export function heldValues(svc: KubeObject): Held {
  const spec = isJsonObject(svc.spec) ? svc.spec : {};
  const ips = new Set<string>();
  const ip = stringAt(spec, 'clusterIP');
  if (ip !== undefined && ip !== '' && ip !== 'None') ips.add(ip);
  if (Array.isArray(spec.clusterIPs)) {
    for (const x of spec.clusterIPs) if (typeof x === 'string' && x !== '' && x !== 'None') ips.add(x);
  }
  const ports = new Set<number>();
  for (const p of objectsAt(spec, 'ports')) if (typeof p.nodePort === 'number' && p.nodePort > 0) ports.add(p.nodePort);
  if (typeof spec.healthCheckNodePort === 'number' && spec.healthCheckNodePort > 0) ports.add(spec.healthCheckNodePort);
  return { ips: [...ips], ports: [...ports] };
}
