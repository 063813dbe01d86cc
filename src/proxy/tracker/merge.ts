// The state of one Service's ports from its Service object and all of its EndpointSlices: each
// service port takes the endpoints of slice ports with the same name and protocol. An ip:port
// found in several slices is kept once (a local copy wins, as upstream's EndpointSliceCache).
import type { Endpoint, ServicePort } from '../types.js';
import { serviceKeyString } from '../types.js';
import type { ServicePortState, TrackedService, TrackedSlice } from './types.js';

function ipv4Number(ip: string): number {
  let n = 0;
  for (const part of ip.split('.')) n = n * 256 + Number(part);
  return n;
}

/** Orders endpoints by IPv4 address (numerically), then port. */
export function compareEndpoints(a: Endpoint, b: Endpoint): number {
  return ipv4Number(a.ip) - ipv4Number(b.ip) || a.port - b.port;
}

export function endpointsFor(svc: ServicePort, slices: readonly TrackedSlice[], nodeName: string): Endpoint[] {
  const byAddr = new Map<string, Endpoint>();
  for (const slice of slices) {
    for (const sp of slice.ports) {
      if (sp.name !== svc.key.port || sp.protocol !== svc.key.protocol) continue;
      for (const e of slice.endpoints) {
        const addr = `${e.ip}:${sp.port}`;
        const isLocal = e.nodeName !== undefined && e.nodeName === nodeName;
        const seen = byAddr.get(addr);
        if (seen !== undefined && (seen.isLocal || !isLocal)) continue;
        const ep: Endpoint = { ip: e.ip, port: sp.port, ready: e.ready, serving: e.serving, terminating: e.terminating, isLocal };
        if (e.nodeName !== undefined) ep.nodeName = e.nodeName;
        byAddr.set(addr, ep);
      }
    }
  }
  return [...byAddr.values()].sort(compareEndpoints);
}

/** serviceKeyString → state for every port of the service (empty when the Service is absent). */
export function serviceState(svc: TrackedService | undefined, slices: Iterable<TrackedSlice>, nodeName: string): Map<string, ServicePortState> {
  const out = new Map<string, ServicePortState>();
  if (svc === undefined || svc.ports.length === 0) return out;
  // Slices in name order so that merging does not depend on arrival order.
  const sorted = [...slices].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const port of svc.ports) out.set(serviceKeyString(port.key), { svc: port, endpoints: endpointsFor(port, sorted, nodeName) });
  return out;
}

export function sameState(a: ServicePortState | undefined, b: ServicePortState | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  // Both are built field by field in the same order, so their JSON texts compare structurally.
  return JSON.stringify(a) === JSON.stringify(b);
}
