// What one service port contributes to the table: its chains with their rules, its elements in the
// shared verdict maps, and its affinity sets. Pure; the same output feeds full and partial syncs.
// Mirrors upstream's per-service part of syncProxyRules; the planner already chose the endpoints.
import type { Endpoint, PlannedService } from '../../types.js';
import {
  FIREWALL_IPS_MAP,
  MARK_MASQ_CHAIN,
  NO_ENDPOINT_NODEPORTS_MAP,
  NO_ENDPOINT_SERVICES_MAP,
  REJECT_CHAIN,
  SERVICE_IPS_MAP,
  SERVICE_NODEPORTS_MAP,
  endpointNames,
  serviceChainNames,
  type ElementMap,
} from './names.js';

export interface ChainSpec {
  name: string;
  rules: string[];
}

export interface ServiceElement {
  map: ElementMap;
  /** e.g. "10.96.0.1 . tcp . 80" or "tcp . 30080". */
  key: string;
  /** A verdict: "goto service-...", "goto reject-chain", "drop". */
  value: string;
}

export interface AffinitySet {
  name: string;
  timeoutSeconds: number;
}

export interface ServiceRender {
  chains: ChainSpec[];
  elements: ServiceElement[];
  affinitySets: AffinitySet[];
}

export interface ServiceContext {
  /** Pod CIDR; traffic from outside it to a cluster IP is masqueraded ("" = masquerade all). */
  clusterCIDR: string;
  nodeIPs: readonly string[];
}

const EMPTY: ServiceRender = { chains: [], elements: [], affinitySets: [] };

export function renderService(ps: PlannedService, ctx: ServiceContext): ServiceRender {
  const svc = ps.svc;
  // Headless and ExternalName services get no rules.
  if (svc.clusterIP === undefined || svc.type === 'ExternalName') return EMPTY;
  const key = svc.key;
  const proto = key.protocol.toLowerCase();
  const names = serviceChainNames(key);
  const hasEndpoints = !ps.noEndpoints && ps.allEndpoints.length > 0;
  const externallyAccessible = svc.nodePort !== 0 || svc.externalIPs.length > 0 || svc.loadBalancerIPs.length > 0;

  // Endpoint lists per policy chain: "cluster" is every usable endpoint, "local" this node's.
  const clusterEps = svc.internalPolicyLocal ? ps.allEndpoints : ps.clusterEndpoints;
  const localEps = svc.internalPolicyLocal ? ps.clusterEndpoints : ps.externalEndpoints;
  // Cluster endpoints are also needed with externalTrafficPolicy Local, to short-circuit node traffic.
  const usesCluster = hasEndpoints && clusterEps.length > 0 && (!svc.internalPolicyLocal || externallyAccessible);
  const usesLocal =
    hasEndpoints && localEps.length > 0 && (svc.internalPolicyLocal || (svc.externalPolicyLocal && externallyAccessible));
  const internalChain = svc.internalPolicyLocal ? names.local : names.cluster;
  const externalPolicyChain = svc.externalPolicyLocal ? names.local : names.cluster;
  const hasInternal = hasEndpoints && (svc.internalPolicyLocal ? usesLocal : usesCluster);
  const hasExternal = hasEndpoints && (svc.externalPolicyLocal ? usesLocal : usesCluster);
  const usesExternal = hasEndpoints && externallyAccessible;
  // No endpoints at all: reject. Endpoints, but none for this policy: drop (upstream's choice).
  const internalFilter = hasEndpoints ? 'drop' : `goto ${REJECT_CHAIN}`;
  const externalFilter = internalFilter;

  const chains: ChainSpec[] = [];
  const elements: ServiceElement[] = [];
  const affinitySets: AffinitySet[] = [];
  const el = (map: ElementMap, k: string, value: string): void => {
    elements.push({ map, key: k, value });
  };
  const ipKey = (ip: string): string => `${ip} . ${proto} . ${svc.port}`;

  // Cluster IP.
  if (hasInternal) el(SERVICE_IPS_MAP, ipKey(svc.clusterIP), `goto ${internalChain}`);
  else el(NO_ENDPOINT_SERVICES_MAP, ipKey(svc.clusterIP), internalFilter);

  // External IPs.
  for (const ip of svc.externalIPs) {
    if (usesExternal) el(SERVICE_IPS_MAP, ipKey(ip), `goto ${names.external}`);
    if (!hasExternal) el(NO_ENDPOINT_SERVICES_MAP, ipKey(ip), externalFilter);
  }

  // LoadBalancer ingress IPs, with loadBalancerSourceRanges in a firewall chain.
  const usesFirewall = svc.loadBalancerIPs.length > 0 && svc.loadBalancerSourceRanges.length > 0;
  if (usesFirewall) {
    const sources = [...svc.loadBalancerSourceRanges];
    // A VIP that is also a local address loops node traffic back with the VIP as source: allow it.
    if (svc.loadBalancerSourceRanges.some((cidr) => ctx.nodeIPs.some((ip) => cidrContains(cidr, ip)))) {
      sources.push(...svc.loadBalancerIPs);
    }
    chains.push({ name: names.firewall, rules: [`ip saddr != { ${sources.join(', ')} } drop`] });
  }
  for (const ip of svc.loadBalancerIPs) {
    if (usesExternal) el(SERVICE_IPS_MAP, ipKey(ip), `goto ${names.external}`);
    if (usesFirewall) el(FIREWALL_IPS_MAP, ipKey(ip), `goto ${names.firewall}`);
    if (!hasExternal) el(NO_ENDPOINT_SERVICES_MAP, ipKey(ip), externalFilter);
  }

  // Node ports (not subject to loadBalancerSourceRanges, as upstream).
  if (svc.nodePort !== 0) {
    const npKey = `${proto} . ${svc.nodePort}`;
    if (usesExternal) el(SERVICE_NODEPORTS_MAP, npKey, `goto ${names.external}`);
    if (!hasExternal) el(NO_ENDPOINT_NODEPORTS_MAP, npKey, externalFilter);
  }

  // The external chain: masquerade (Cluster policy) or keep the source (Local policy, except for
  // traffic from pods and from the node itself, which is sent to all endpoints as if it came back in).
  if (usesExternal) {
    const rules: string[] = [];
    if (!svc.externalPolicyLocal) {
      rules.push(`jump ${MARK_MASQ_CHAIN}`);
    } else {
      if (ctx.clusterCIDR !== '' && usesCluster) rules.push(`ip saddr ${ctx.clusterCIDR} goto ${names.cluster}`);
      rules.push(`fib saddr type local jump ${MARK_MASQ_CHAIN}`);
      if (usesCluster) rules.push(`fib saddr type local goto ${names.cluster}`);
    }
    if (hasExternal) rules.push(`goto ${externalPolicyChain}`);
    chains.push({ name: names.external, rules });
  }

  const affinity = svc.affinityTimeoutSeconds > 0;
  const internalMasq =
    ctx.clusterCIDR === ''
      ? `ip daddr ${svc.clusterIP} ${proto} dport ${svc.port} jump ${MARK_MASQ_CHAIN}`
      : `ip daddr ${svc.clusterIP} ${proto} dport ${svc.port} ip saddr != ${ctx.clusterCIDR} jump ${MARK_MASQ_CHAIN}`;
  const policyChain = (name: string, eps: readonly Endpoint[]): void => {
    const rules: string[] = [];
    if (name === internalChain) rules.push(internalMasq);
    const targets = eps.map((ep) => endpointNames(key, ep));
    if (affinity) for (const t of targets) rules.push(`ip saddr @${t.affinitySet} goto ${t.chain}`);
    // Rule i matches with probability 1/(n-i), so each endpoint gets 1/n (iptables' statistic
    // cascade). Upstream writes one `numgen random mod n vmap { 0 : goto ..., ... }`, but every such
    // anonymous map is a kernel set whose name allocation scans all sets of the table: 10,000
    // services took 75 s to load here (Linux 6.18, nft 1.0.6), against seconds for the cascade.
    targets.forEach((t, i) => {
      const left = targets.length - i;
      rules.push(left === 1 ? `goto ${t.chain}` : `numgen random mod ${left} == 0 goto ${t.chain}`);
    });
    chains.push({ name, rules });
  };
  if (usesCluster) policyChain(names.cluster, clusterEps);
  if (usesLocal) policyChain(names.local, localEps);

  // One chain per endpoint used by either policy chain: hairpin masquerade, affinity, DNAT.
  const seen = new Set<string>();
  const epChains = [...(usesCluster ? clusterEps : []), ...(usesLocal ? localEps : [])];
  for (const ep of epChains) {
    const id = `${ep.ip}:${ep.port}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const n = endpointNames(key, ep);
    const rules = [`ip saddr ${ep.ip} jump ${MARK_MASQ_CHAIN}`];
    if (affinity) {
      rules.push(`update @${n.affinitySet} { ip saddr }`);
      affinitySets.push({ name: n.affinitySet, timeoutSeconds: svc.affinityTimeoutSeconds });
    }
    rules.push(`meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`);
    chains.push({ name: n.chain, rules });
  }
  return { chains, elements, affinitySets };
}

/** IPv4 only (this backend programs the ip family); a malformed CIDR contains nothing. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, lenText] = cidr.split('/');
  const len = lenText === undefined ? 32 : Number(lenText);
  const a = ipv4ToInt(base ?? '');
  const b = ipv4ToInt(ip);
  if (a === undefined || b === undefined || !Number.isInteger(len) || len < 0 || len > 32) return false;
  if (len === 0) return true;
  const mask = (~0 << (32 - len)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}
