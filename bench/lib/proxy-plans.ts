// Synthetic proxy state for bench/proxy-sync: N services x M endpoints as the tracker would hold them
// (ServicePortState), planned by the real planner (src/proxy/plan.ts buildPlan), and the one-service
// change a running cluster sees most (an endpoint replaced by a new pod IP).
import { buildPlan } from '../../src/proxy/plan.js';
import type { ServicePortState } from '../../src/proxy/tracker/types.js';
import { serviceKeyString, type Endpoint, type ProxyPlan, type ServicePort } from '../../src/proxy/types.js';

export const BENCH_NODE_IP = '10.250.0.1';
export const BENCH_CLUSTER_CIDR = '10.128.0.0/9';

/** 172.30.0.0/16: up to 65,536 cluster IPs. */
function clusterIP(i: number): string {
  return `172.30.${(i >> 8) & 255}.${i & 255}`;
}

/** 10.128.0.0/9: pod IPs; `k` is a global endpoint counter (unique across the plan and the changes). */
function podIP(k: number): string {
  return `10.${128 + ((k >> 16) & 127)}.${(k >> 8) & 255}.${k & 255}`;
}

function endpoint(k: number): Endpoint {
  return { ip: podIP(k), port: 8080, ready: true, serving: true, terminating: false, isLocal: k % 3 === 0, nodeName: k % 3 === 0 ? 'bench' : 'other' };
}

function service(i: number): ServicePort {
  // Every tenth service is a NodePort (30000 + i within the default range 30000-32767, wrapping).
  const nodePort = i % 10 === 0 ? 30000 + ((i / 10) % 2768) : 0;
  return {
    key: { namespace: `ns${Math.floor(i / 100)}`, name: `svc${i}`, port: 'http', protocol: 'TCP' },
    clusterIP: clusterIP(i),
    port: 80,
    nodePort,
    externalIPs: [],
    loadBalancerIPs: [],
    loadBalancerSourceRanges: [],
    affinityTimeoutSeconds: 0,
    externalPolicyLocal: false,
    internalPolicyLocal: false,
    type: nodePort === 0 ? 'ClusterIP' : 'NodePort',
  };
}

export interface BenchState {
  /** The tracker's view after the n-th change (0 = the initial state). */
  readonly states: readonly ServicePortState[];
  readonly endpointCount: number;
  /** Applies the n-th one-service change; returns the changed key (serviceKeyString). */
  change(n: number): string;
  /** buildPlan over the current state: full when `changed` is undefined. */
  plan(changed?: ReadonlySet<string>): ProxyPlan;
}

export function buildBenchState(services: number, endpointsPerService: number): BenchState {
  if (services > 65_536) throw new Error(`at most 65,536 services (one /16 of cluster IPs), got ${services}`);
  let nextEndpoint = 0;
  const states: ServicePortState[] = [];
  for (let i = 0; i < services; i++) {
    const eps: Endpoint[] = [];
    for (let j = 0; j < endpointsPerService; j++) eps.push(endpoint(nextEndpoint++));
    states.push({ svc: service(i), endpoints: eps });
  }
  return {
    states,
    get endpointCount() {
      return nextEndpoint;
    },
    change: (n) => {
      // Spread the changes over the table; replace the service's first endpoint with a new pod IP.
      const idx = (n * 7919) % services;
      const current = states[idx];
      if (current === undefined) throw new Error('no services');
      states[idx] = { svc: current.svc, endpoints: [...current.endpoints.slice(1), endpoint(nextEndpoint++)] };
      return serviceKeyString(current.svc.key);
    },
    plan: (changed) => buildPlan({ services: states, nodeIPs: [BENCH_NODE_IP], clusterCIDR: BENCH_CLUSTER_CIDR, changed }),
  };
}
