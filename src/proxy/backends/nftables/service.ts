// What one service port contributes to the table: its chains with their rules, its elements in the
// shared maps and sets, and its affinity sets. Pure; the same output feeds full and partial syncs.
// Mirrors upstream's per-service part of syncProxyRules (the planner already chose the endpoints),
// with fewer chains and rules: every chain makes each nft transaction read more, every rule makes the
// kernel's validation of a transaction longer. So services reached only through their cluster IP
// (and a node port, with Cluster policies) have no chain (cluster-dnat and nodeport-dnat maps), other policy chains DNAT with one rule through an endpoint-dnat
// map, endpoints have chains only with session affinity, and masquerading (off-cluster sources,
// hairpin) is one rule over a set each.
import { cidrContains } from '../shared.js';
import type { Endpoint, L4Protocol, PlannedService } from '../../types.js';
import {
  CLUSTER_IPS_SET,
  CLUSTER_NODEPORTS_SET,
  clusterDnatMapName,
  nodePortDnatMapName,
  dnatMapName,
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
  type L4,
} from './names.js';

export interface ChainSpec {
  name: string;
  rules: string[];
}

export interface ServiceElement {
  map: ElementMap;
  /** e.g. "10.96.0.1 . tcp . 80" or "tcp . 30080". */
  key: string;
  /** A verdict ("goto service-...", "goto reject-chain", "drop"), "ip . port" (endpoint-dnat), '' for a set. */
  value: string;
}

export interface AffinitySet {
  name: string;
  timeoutSeconds: number;
}

export interface ServiceRender {
  /** In dependency order: a chain comes after the chains its rules jump to. */
  chains: ChainSpec[];
  elements: ServiceElement[];
  affinitySets: AffinitySet[];
  /** IPs of the endpoints traffic is DNATed to, for the hairpin masquerade (see render.ts). */
  endpointIPs: string[];
}

export interface ServiceContext {
  /** Pod CIDR; traffic from outside it to a cluster IP is masqueraded ("" = masquerade all). */
  clusterCIDR: string;
  nodeIPs: readonly string[];
  /** The endpoint-dnat slot (map shard, first key) reserved for `count` endpoints of the policy chain `chain`. */
  dnatSlot(chain: string, count: number): { shard: number; base: number };
}

const EMPTY: ServiceRender = { chains: [], elements: [], affinitySets: [], endpointIPs: [] };

export function renderService(ps: PlannedService, ctx: ServiceContext): ServiceRender {
  const svc = ps.svc;
  // Headless and ExternalName services get no rules.
  if (svc.clusterIP === undefined || svc.type === 'ExternalName') return EMPTY;
  const key = svc.key;
  const proto = l4(key.protocol);
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

  const affinity = svc.affinityTimeoutSeconds > 0;
  // A service reached only through its cluster IP, or through its cluster IP and a node port with
  // both policies Cluster (one endpoint list, all traffic to the node port masqueraded), without
  // affinity, needs no chain: its endpoints are elements of the cluster-dnat (and nodeport-dnat) map
  // for its endpoint count (see skeleton.ts). Each chain in the table makes every later nft
  // transaction slower (nft 1.0.6 reads them all first), and an endpoint change of a chainless
  // service can be written add-only (render.ts).
  const internalEps = svc.internalPolicyLocal ? localEps : clusterEps;
  const onlyNodePort =
    svc.nodePort !== 0 && svc.externalIPs.length === 0 && svc.loadBalancerIPs.length === 0 && !svc.internalPolicyLocal && !svc.externalPolicyLocal;
  const chainless = hasInternal && !affinity && (!externallyAccessible || onlyNodePort);

  // Cluster IP.
  if (hasInternal) {
    if (chainless) {
      const map = clusterDnatMapName(proto, internalEps.length);
      const vip = `${svc.clusterIP} . ${svc.port}`;
      internalEps.forEach((ep, i) => el(map, `${vip} . ${i}`, `${ep.ip} . ${ep.port}`));
    } else {
      el(SERVICE_IPS_MAP, ipKey(svc.clusterIP), `goto ${internalChain}`);
    }
    // Upstream's per-service masquerade rule (`ip daddr VIP dport P ip saddr != CIDR jump
    // mark-for-masquerade` in the internal chain) as one rule over a set (see skeleton.ts): every
    // rule in the table makes each later transaction's kernel validation longer.
    el(CLUSTER_IPS_SET, ipKey(svc.clusterIP), '');
  } else {
    el(NO_ENDPOINT_SERVICES_MAP, ipKey(svc.clusterIP), internalFilter);
  }

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
  if (svc.nodePort !== 0 && chainless) {
    const map = nodePortDnatMapName(proto, internalEps.length);
    internalEps.forEach((ep, i) => el(map, `${svc.nodePort} . ${i}`, `${ep.ip} . ${ep.port}`));
    el(CLUSTER_NODEPORTS_SET, `${proto} . ${svc.nodePort}`, '');
  } else if (svc.nodePort !== 0) {
    const npKey = `${proto} . ${svc.nodePort}`;
    if (usesExternal) el(SERVICE_NODEPORTS_MAP, npKey, `goto ${names.external}`);
    if (!hasExternal) el(NO_ENDPOINT_NODEPORTS_MAP, npKey, externalFilter);
  }

  // The external chain: masquerade (Cluster policy) or keep the source (Local policy, except for
  // traffic from pods and from the node itself, which is sent to all endpoints as if it came back in).
  if (usesExternal && !chainless) {
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

  const dnat = (ep: Endpoint): string => `meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`;
  // Chains are pushed after the chains they jump to (a transaction may create both): endpoint
  // chains, policy chains, then the external and firewall chains.
  const serviceChains: ChainSpec[] = [];
  const policyChain = (name: string, eps: readonly Endpoint[]): void => {
    const rules: string[] = [];
    if (!affinity) {
      // One rule picks an endpoint: numgen gives base..base+n-1, the endpoint-dnat map turns it into
      // the endpoint. An endpoint change is then a change of map elements, not of rules: adding a
      // rule makes the kernel validate the whole table, which grows with every rule in it.
      const { shard, base } = ctx.dnatSlot(name, eps.length);
      const map = dnatMapName(shard, proto);
      eps.forEach((ep, i) => el(map, String(base + i), `${ep.ip} . ${ep.port}`));
      rules.push(`meta l4proto ${proto} dnat ip addr . port to numgen random mod ${eps.length} offset ${base} map @${map}`);
      serviceChains.push({ name, rules });
      return;
    }
    // With affinity, one chain per endpoint records the client. Rule i matches with probability
    // 1/(n-i), so each endpoint gets 1/n (iptables' statistic cascade). Upstream writes one
    // `numgen random mod n vmap { 0 : goto ..., ... }`, but every such anonymous map is a kernel set
    // whose name allocation scans all sets of the table: 10,000 services took 75 s to load here
    // (Linux 6.18, nft 1.0.6), against seconds for the cascade.
    const targets = eps.map((ep) => `goto ${endpointNames(key, ep).chain}`);
    for (const ep of eps) rules.push(`ip saddr @${endpointNames(key, ep).affinitySet} goto ${endpointNames(key, ep).chain}`);
    targets.forEach((t, i) => {
      const left = targets.length - i;
      rules.push(left === 1 ? t : `numgen random mod ${left} == 0 ${t}`);
    });
    serviceChains.push({ name, rules });
  };
  if (usesCluster && !chainless) policyChain(names.cluster, clusterEps);
  if (usesLocal && !chainless) policyChain(names.local, localEps);

  // Endpoints used by either policy chain. Hairpin traffic (an endpoint reaching itself through the
  // service) is masqueraded by the masquerading chain's hairpin rule; with affinity, one chain per
  // endpoint records the client and DNATs.
  const seen = new Set<string>();
  const endpointIPs = new Set<string>();
  const epChains: ChainSpec[] = [];
  for (const ep of [...(usesCluster ? clusterEps : []), ...(usesLocal ? localEps : [])]) {
    const id = `${ep.ip}:${ep.port}`;
    if (seen.has(id)) continue;
    seen.add(id);
    endpointIPs.add(ep.ip);
    if (!affinity) continue;
    const n = endpointNames(key, ep);
    affinitySets.push({ name: n.affinitySet, timeoutSeconds: svc.affinityTimeoutSeconds });
    epChains.push({ name: n.chain, rules: [`ip saddr ${ep.ip} jump ${MARK_MASQ_CHAIN}`, `update @${n.affinitySet} { ip saddr }`, dnat(ep)] });
  }
  return { chains: [...epChains, ...serviceChains, ...chains], elements, affinitySets, endpointIPs: [...endpointIPs] };
}

function l4(protocol: L4Protocol): L4 {
  return protocol === 'TCP' ? 'tcp' : protocol === 'UDP' ? 'udp' : 'sctp';
}

