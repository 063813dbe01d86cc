// The legacy Endpoints object of a Service (upstream pkg/controller/endpoint): ready pods under
// `addresses`, the others under `notReadyAddresses`, terminating pods left out unless the Service
// publishes not-ready addresses, and the subsets repacked as upstream's RepackSubsets does (one
// subset per set of addresses that offer the same ports). Pure.
import type { JsonObject } from '../../../api/object.js';
import { endpointPorts, podAddress, shouldPodBeInEndpoints, shouldSetHostname } from './desired.js';
import type { EndpointPort, Pod, Service } from './model.js';
import { LABEL_HEADLESS } from './slice-plan.js';

/** A port that stands for "no ports" (headless services without ports), as upstream's sentinel. */
const NO_PORT = JSON.stringify(null);

function portJson(p: EndpointPort): JsonObject {
  return { name: p.name, port: p.port, protocol: p.protocol, ...(p.appProtocol === undefined ? {} : { appProtocol: p.appProtocol }) };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function endpointsLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = { ...service.labels };
  delete labels[LABEL_HEADLESS];
  if (service.clusterIP === 'None') labels[LABEL_HEADLESS] = '';
  return labels;
}

export function desiredSubsets(service: Service, pods: Pod[]): JsonObject[] {
  const tolerate = service.publishNotReadyAddresses;
  const family = service.addressTypes[0] ?? 'IPv4';
  const addresses = new Map<string, JsonObject>();
  /** Port (as JSON) -> address key -> ready. */
  const byPort = new Map<string, Map<string, boolean>>();
  const add = (port: string, addrKey: string, ready: boolean): void => {
    let m = byPort.get(port);
    if (m === undefined) byPort.set(port, (m = new Map()));
    m.set(addrKey, (m.get(addrKey) ?? false) || ready);
  };
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerate)) continue;
    const ip = podAddress(pod, family);
    if (ip === undefined) continue;
    const addr: JsonObject = {
      ip,
      ...(shouldSetHostname(pod, service) ? { hostname: pod.hostname } : {}),
      ...(pod.nodeName === '' ? {} : { nodeName: pod.nodeName }),
      targetRef: { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid },
    };
    const addrKey = JSON.stringify(addr);
    addresses.set(addrKey, addr);
    const ready = tolerate || pod.ready;
    if (service.ports.length === 0) {
      if (service.clusterIP === 'None') add(NO_PORT, addrKey, ready);
      continue;
    }
    for (const p of endpointPorts(service, pod)) add(JSON.stringify(portJson(p)), addrKey, ready);
  }
  // Ports offered by the same addresses (with the same readiness) share a subset.
  const subsets = new Map<string, { addrs: Map<string, boolean>; ports: string[] }>();
  for (const [port, addrs] of byPort) {
    const key = JSON.stringify([...addrs].sort((a, b) => compareText(a[0], b[0])));
    const s = subsets.get(key);
    if (s === undefined) subsets.set(key, { addrs, ports: [port] });
    else s.ports.push(port);
  }
  const out: JsonObject[] = [];
  for (const { addrs, ports } of subsets.values()) {
    const ready: JsonObject[] = [];
    const notReady: JsonObject[] = [];
    const sortedAddrs = [...addrs].sort((a, b) => compareText(String(addresses.get(a[0])?.ip), String(addresses.get(b[0])?.ip)) || compareText(a[0], b[0]));
    for (const [k, isReady] of sortedAddrs) {
      const a = addresses.get(k);
      if (a !== undefined) (isReady ? ready : notReady).push(a);
    }
    const portObjs = ports.filter((p) => p !== NO_PORT).sort().map((p) => JSON.parse(p) as JsonObject);
    out.push({
      ...(ready.length > 0 ? { addresses: ready } : {}),
      ...(notReady.length > 0 ? { notReadyAddresses: notReady } : {}),
      ...(portObjs.length > 0 ? { ports: portObjs } : {}),
    });
  }
  return out.sort((a, b) => compareText(JSON.stringify(a), JSON.stringify(b)));
}
