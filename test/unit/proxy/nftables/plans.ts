// Hand-built plans for the nftables backend's golden, partial-sync and integration tests.
import type { Endpoint, L4Protocol, PlannedService, ProxyPlan, ServicePort } from '../../../../src/proxy/types.js';
import { ep as baseEp, svcPort as baseSvcPort } from '../fakes.js';

export function ep(ip: string, port: number, more: Partial<Endpoint> = {}): Endpoint {
  return baseEp(ip, { port, ...more });
}

export interface ShapeOptions extends Partial<Omit<ServicePort, 'key'>> {
  namespace?: string;
  name: string;
  portName?: string;
  protocol?: L4Protocol;
  endpoints?: Endpoint[];
}

/** A planned service as the planner would produce it (policies Local filter to isLocal endpoints). */
export function svc(o: ShapeOptions): PlannedService {
  const { namespace = 'ns1', name, portName = 'p80', protocol, endpoints: _endpoints, ...rest } = o;
  const s = baseSvcPort({ clusterIP: '10.96.0.1', ...rest, namespace, name, portName, ...(protocol === undefined ? {} : { protocol }) });
  const ready = (o.endpoints ?? []).filter((e) => e.ready);
  const all = ready.length > 0 ? ready : (o.endpoints ?? []).filter((e) => e.serving && e.terminating);
  const local = all.filter((e) => e.isLocal);
  return {
    svc: s,
    clusterEndpoints: s.internalPolicyLocal ? local : all,
    externalEndpoints: s.externalPolicyLocal ? local : all,
    allEndpoints: all,
    noEndpoints: all.length === 0,
  };
}

export function plan(services: PlannedService[], more: Partial<ProxyPlan> = {}): ProxyPlan {
  return { services, nodeIPs: ['192.168.50.2'], clusterCIDR: '10.244.0.0/16', changed: undefined, ...more };
}

/** One service per shape the backend must handle (the same list as the iptables mode's). */
export const SHAPES: Record<string, PlannedService> = {
  'clusterip-1-endpoint': svc({ name: 'one', endpoints: [ep('10.244.1.1', 8080)] }),
  'clusterip-3-endpoints': svc({
    name: 'three',
    clusterIP: '10.96.0.3',
    endpoints: [ep('10.244.1.1', 8080), ep('10.244.2.1', 8080), ep('10.244.3.1', 8080)],
  }),
  'clusterip-no-endpoints': svc({ name: 'none', clusterIP: '10.96.0.4', externalIPs: ['192.0.2.9'] }),
  nodeport: svc({ name: 'np', clusterIP: '10.96.0.5', type: 'NodePort', nodePort: 30080, endpoints: [ep('10.244.1.5', 80), ep('10.244.2.5', 80)] }),
  'nodeport-no-endpoints': svc({ name: 'npnone', clusterIP: '10.96.0.6', type: 'NodePort', nodePort: 30081 }),
  'external-ips': svc({ name: 'ext', clusterIP: '10.96.0.7', externalIPs: ['192.0.2.10', '192.0.2.11'], endpoints: [ep('10.244.1.7', 80)] }),
  loadbalancer: svc({
    name: 'lb',
    clusterIP: '10.96.0.8',
    type: 'LoadBalancer',
    nodePort: 30082,
    loadBalancerIPs: ['203.0.113.8'],
    loadBalancerSourceRanges: ['198.51.100.0/24', '192.168.50.0/24'],
    endpoints: [ep('10.244.1.8', 80)],
  }),
  'session-affinity': svc({
    name: 'sticky',
    clusterIP: '10.96.0.9',
    affinityTimeoutSeconds: 10800,
    endpoints: [ep('10.244.1.9', 80), ep('10.244.2.9', 80)],
  }),
  'external-policy-local': svc({
    name: 'etplocal',
    clusterIP: '10.96.0.10',
    type: 'LoadBalancer',
    nodePort: 30083,
    loadBalancerIPs: ['203.0.113.10'],
    externalPolicyLocal: true,
    endpoints: [ep('10.244.0.10', 80, { isLocal: true, nodeName: 'me' }), ep('10.244.2.10', 80)],
  }),
  'external-policy-local-no-local-endpoints': svc({
    name: 'etpnolocal',
    clusterIP: '10.96.0.11',
    type: 'NodePort',
    nodePort: 30084,
    externalPolicyLocal: true,
    endpoints: [ep('10.244.2.11', 80)],
  }),
  'internal-policy-local': svc({
    name: 'itplocal',
    clusterIP: '10.96.0.12',
    internalPolicyLocal: true,
    endpoints: [ep('10.244.0.12', 80, { isLocal: true }), ep('10.244.2.12', 80)],
  }),
  'internal-policy-local-no-local-endpoints': svc({
    name: 'itpnolocal',
    clusterIP: '10.96.0.13',
    internalPolicyLocal: true,
    endpoints: [ep('10.244.2.13', 80)],
  }),
  'serving-terminating-fallback': svc({
    name: 'term',
    clusterIP: '10.96.0.14',
    endpoints: [
      ep('10.244.1.14', 80, { ready: false, serving: true, terminating: true }),
      ep('10.244.2.14', 80, { ready: false, serving: false, terminating: true }),
    ],
  }),
  udp: svc({ name: 'dns', clusterIP: '10.96.0.15', protocol: 'UDP', portName: 'dns', port: 53, endpoints: [ep('10.244.1.15', 53)] }),
  sctp: svc({ name: 'sig', clusterIP: '10.96.0.16', protocol: 'SCTP', portName: '', port: 3868, endpoints: [ep('10.244.1.16', 3868)] }),
  headless: svc({ name: 'headless', clusterIP: undefined, endpoints: [ep('10.244.1.17', 80)] }),
};

/** n services x m endpoints, for the size and timing checks. */
export function bigPlan(n: number, m: number): ProxyPlan {
  const services: PlannedService[] = [];
  for (let i = 0; i < n; i++) {
    const eps: Endpoint[] = [];
    for (let j = 0; j < m; j++) eps.push(ep(`10.${128 + (j % 64)}.${(i >> 8) & 255}.${i & 255}`, 8080));
    services.push(svc({ name: `svc${i}`, clusterIP: `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, endpoints: eps }));
  }
  return plan(services);
}
