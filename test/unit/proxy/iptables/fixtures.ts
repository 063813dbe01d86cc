// Hand-built plans for the iptables backend's golden and integration tests.
import type { Endpoint, L4Protocol, PlannedService, ProxyPlan, ServicePort } from '../../../../src/proxy/types.js';
import { ep as baseEp, svcPort as baseSvcPort } from '../fakes.js';

export function ep(ip: string, port = 8080, over: Partial<Endpoint> = {}): Endpoint {
  return baseEp(ip, { port, ...over });
}

export function svcPort(namespace: string, name: string, over: Partial<ServicePort> & { portName?: string; protocol?: L4Protocol } = {}): ServicePort {
  return baseSvcPort({ ...over, namespace, name });
}

/** A planned service whose endpoint lists follow the traffic policies the way the planner does. */
export function planned(svc: ServicePort, endpoints: Endpoint[]): PlannedService {
  const ready = endpoints.filter((e) => e.ready);
  const usable = ready.length > 0 ? ready : endpoints.filter((e) => e.serving && e.terminating);
  const localOf = (): Endpoint[] => {
    const localReady = endpoints.filter((e) => e.isLocal && e.ready);
    return localReady.length > 0 ? localReady : endpoints.filter((e) => e.isLocal && e.serving && e.terminating);
  };
  return {
    svc,
    clusterEndpoints: svc.internalPolicyLocal ? localOf() : usable,
    externalEndpoints: svc.externalPolicyLocal ? localOf() : usable,
    allEndpoints: usable,
    noEndpoints: usable.length === 0 && localOf().length === 0,
  };
}

export function plan(services: PlannedService[], over: Partial<ProxyPlan> = {}): ProxyPlan {
  return { services, nodeIPs: ['192.168.1.10'], clusterCIDR: '10.244.0.0/16', changed: undefined, ...over };
}

/** `n` ClusterIP services with `eps` endpoints each, for scale tests. */
export function manyServices(n: number, eps: number): PlannedService[] {
  const out: PlannedService[] = [];
  for (let i = 0; i < n; i++) {
    const ip = `10.${96 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;
    const endpoints: Endpoint[] = [];
    for (let j = 0; j < eps; j++) endpoints.push(ep(`10.${100 + (j % 100)}.${Math.floor(i / 256) % 256}.${i % 256}`, 8080));
    out.push(planned(svcPort(`ns${i % 50}`, `svc${i}`, { clusterIP: ip, nodePort: i % 10 === 0 ? 30000 + (i % 2000) : 0, type: i % 10 === 0 ? 'NodePort' : 'ClusterIP' }), endpoints));
  }
  return out.sort((a, b) => (a.svc.key.namespace + a.svc.key.name < b.svc.key.namespace + b.svc.key.name ? -1 : 1));
}

/** One plan per service shape the backend must render (golden files are named after the keys). */
export const shapes: Record<string, ProxyPlan> = {
  'clusterip-1ep': plan([planned(svcPort('default', 'web'), [ep('10.244.1.5')])]),
  'clusterip-3ep': plan([planned(svcPort('default', 'web'), [ep('10.244.1.5'), ep('10.244.2.6'), ep('10.244.3.7')])]),
  'no-endpoints': plan([planned(svcPort('default', 'empty', { nodePort: 30080, type: 'NodePort', externalIPs: ['203.0.113.9'] }), [])]),
  nodeport: plan([planned(svcPort('default', 'np', { nodePort: 30080, type: 'NodePort' }), [ep('10.244.1.5'), ep('10.244.2.6')])]),
  'external-ips': plan([planned(svcPort('default', 'ext', { externalIPs: ['203.0.113.9', '203.0.113.10'] }), [ep('10.244.1.5')])]),
  'loadbalancer-source-ranges': plan([
    planned(
      svcPort('default', 'lb', {
        type: 'LoadBalancer',
        nodePort: 31000,
        loadBalancerIPs: ['198.51.100.7'],
        loadBalancerSourceRanges: ['192.168.0.0/16', '203.0.113.0/24'],
      }),
      [ep('10.244.1.5')],
    ),
  ]),
  'client-ip-affinity': plan([planned(svcPort('default', 'sticky', { affinityTimeoutSeconds: 10800 }), [ep('10.244.1.5'), ep('10.244.2.6')])]),
  'external-policy-local': plan([
    planned(svcPort('default', 'etp', { type: 'NodePort', nodePort: 30090, externalPolicyLocal: true }), [
      ep('10.244.1.5', 8080, { isLocal: true }),
      ep('10.244.2.6'),
    ]),
  ]),
  'external-policy-local-no-local-endpoints': plan([
    planned(svcPort('default', 'etp', { type: 'NodePort', nodePort: 30090, externalPolicyLocal: true }), [ep('10.244.2.6')]),
  ]),
  'internal-policy-local': plan([
    planned(svcPort('default', 'itp', { internalPolicyLocal: true }), [ep('10.244.1.5', 8080, { isLocal: true }), ep('10.244.2.6')]),
    planned(svcPort('default', 'itp-none', { clusterIP: '10.96.0.11', internalPolicyLocal: true }), [ep('10.244.2.7')]),
  ]),
  'serving-terminating-fallback': plan([
    planned(svcPort('default', 'term'), [
      ep('10.244.1.5', 8080, { ready: false, serving: true, terminating: true }),
      ep('10.244.2.6', 8080, { ready: false, serving: false, terminating: true }),
    ]),
  ]),
  'udp-sctp': plan([
    planned(svcPort('kube-system', 'kube-dns', { portName: 'dns', protocol: 'UDP', port: 53 }), [ep('10.244.1.2', 53)]),
    planned(svcPort('default', 'sig', { portName: '', protocol: 'SCTP', clusterIP: '10.96.0.12', port: 9999 }), [ep('10.244.1.3', 9999)]),
  ]),
  'masquerade-all': plan([planned(svcPort('default', 'web'), [ep('10.244.1.5')])], { clusterCIDR: '' }),
  headless: plan([planned(svcPort('default', 'headless', { clusterIP: undefined }), [ep('10.244.1.5')])]),
};
