// The rules of one service port, following upstream's syncProxyRules loop body: which endpoints each
// traffic policy uses, the nat chains (SVC/SVL/EXT/FW/SEP) and the filter REJECT/DROP rules.
import type { Endpoint, PlannedService } from '../../types.js';
import { servicePortName } from '../../types.js';
import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
  cidrContains,
  endpointChain,
  probability,
  serviceChains,
} from './names.js';

/** Settings that apply to every service of one sync. */
export interface RenderContext {
  /** "" = masquerade all traffic to cluster IPs (upstream masqueradeAll). */
  clusterCIDR: string;
  nodeIPs: readonly string[];
  /** Upstream's largeClusterMode (over 1,000 endpoints): no comments on per-endpoint rules. */
  largeCluster: boolean;
}

/** The nat side of one service port. Lines are complete restore lines ("-A CHAIN ..."). */
export interface NatServiceRules {
  /** Rules in KUBE-SERVICES (cluster IP, external IPs, load-balancer IPs). */
  services: string[];
  /** Rules in KUBE-NODEPORTS. */
  nodePorts: string[];
  /** The service's own chains, in declaration order. */
  chains: string[];
  /** Rules of the service's own chains. */
  rules: string[];
}

/** The filter side of one service port. */
export interface FilterServiceRules {
  services: string[];
  external: string[];
  firewall: string[];
}

/** How upstream's CategorizeEndpoints + traffic policies map onto this plan's endpoint lists. */
interface Categorized {
  name: string;
  proto: string;
  hasEndpoints: boolean;
  externallyAccessible: boolean;
  internalLocal: boolean;
  externalLocal: boolean;
  clusterEps: Endpoint[];
  localEps: Endpoint[];
  usesClusterChain: boolean;
  usesLocalChain: boolean;
  hasInternalEndpoints: boolean;
  hasExternalEndpoints: boolean;
}

/** False for services that get no rules at all (headless, ExternalName). */
export function isProxied(ps: PlannedService): boolean {
  return ps.svc.clusterIP !== undefined && ps.svc.clusterIP !== '' && ps.svc.type !== 'ExternalName';
}

function categorize(ps: PlannedService): Categorized {
  const svc = ps.svc;
  const externallyAccessible = svc.nodePort !== 0 || svc.externalIPs.length > 0 || svc.loadBalancerIPs.length > 0;
  const internalLocal = svc.internalPolicyLocal;
  const externalLocal = svc.externalPolicyLocal && externallyAccessible;
  // Endpoints of the "Cluster" policy: the planner's list for whichever side uses that policy.
  const clusterEps = !internalLocal ? ps.clusterEndpoints : !externalLocal && externallyAccessible ? ps.externalEndpoints : ps.allEndpoints;
  const localEps = internalLocal ? ps.clusterEndpoints : externalLocal ? ps.externalEndpoints : [];
  const hasEndpoints = !ps.noEndpoints && (ps.allEndpoints.length > 0 || clusterEps.length > 0 || localEps.length > 0);
  return {
    name: servicePortName(svc.key),
    proto: svc.key.protocol.toLowerCase(),
    hasEndpoints,
    externallyAccessible,
    internalLocal,
    externalLocal,
    clusterEps,
    localEps,
    // Cluster endpoints are also needed with external policy Local, for the short-circuit rules.
    usesClusterChain: hasEndpoints && clusterEps.length > 0 && (!internalLocal || externallyAccessible),
    usesLocalChain: hasEndpoints && localEps.length > 0 && (internalLocal || externalLocal),
    hasInternalEndpoints: hasEndpoints && (!internalLocal || localEps.length > 0),
    hasExternalEndpoints: hasEndpoints && (!externalLocal || localEps.length > 0),
  };
}

function match(proto: string, dest: string, port: number): string {
  return `-m ${proto} -p ${proto} -d ${dest} --dport ${port}`;
}

export function filterServiceRules(ps: PlannedService): FilterServiceRules {
  const out: FilterServiceRules = { services: [], external: [], firewall: [] };
  if (!isProxied(ps)) return out;
  const c = categorize(ps);
  const svc = ps.svc;
  const noEps = `"${c.name} has no endpoints"`;
  const noLocal = `"${c.name} has no local endpoints"`;
  const internal = c.hasEndpoints ? { target: 'DROP', comment: noLocal } : { target: 'REJECT', comment: noEps };
  const external = internal.target === 'REJECT' ? internal : { target: 'DROP', comment: noLocal };
  if (!c.hasInternalEndpoints) {
    out.services.push(`-A ${KUBE_SERVICES} -m comment --comment ${internal.comment} ${match(c.proto, svc.clusterIP ?? '', svc.port)} -j ${internal.target}`);
  }
  if (!c.hasExternalEndpoints) {
    for (const ip of [...svc.externalIPs, ...svc.loadBalancerIPs]) {
      out.external.push(`-A ${KUBE_EXTERNAL_SERVICES} -m comment --comment ${external.comment} ${match(c.proto, ip, svc.port)} -j ${external.target}`);
    }
    if (svc.nodePort !== 0) {
      out.external.push(
        `-A ${KUBE_EXTERNAL_SERVICES} -m comment --comment ${external.comment} -m addrtype --dst-type LOCAL -m ${c.proto} -p ${c.proto} --dport ${svc.nodePort} -j ${external.target}`,
      );
    }
  }
  if (c.hasEndpoints && svc.loadBalancerIPs.length > 0 && svc.loadBalancerSourceRanges.length > 0) {
    const fw = serviceChains(c.name, c.proto).fw;
    for (const ip of svc.loadBalancerIPs) {
      out.firewall.push(`-A ${KUBE_PROXY_FIREWALL} -m comment --comment "${c.name} traffic not accepted by ${fw}" ${match(c.proto, ip, svc.port)} -j DROP`);
    }
  }
  return out;
}

export function natServiceRules(ps: PlannedService, ctx: RenderContext): NatServiceRules {
  const out: NatServiceRules = { services: [], nodePorts: [], chains: [], rules: [] };
  if (!isProxied(ps)) return out;
  const c = categorize(ps);
  if (!c.hasEndpoints) return out; // only filter REJECT rules
  const svc = ps.svc;
  const ch = serviceChains(c.name, c.proto);
  const internalChain = c.internalLocal ? ch.svl : ch.svc;
  const externalPolicyChain = c.externalLocal ? ch.svl : ch.svc;
  const usesFW = svc.loadBalancerIPs.length > 0 && svc.loadBalancerSourceRanges.length > 0;
  const clusterIPMatch = `-m comment --comment "${c.name} cluster IP" ${match(c.proto, svc.clusterIP ?? '', svc.port)}`;

  if (c.hasInternalEndpoints) out.services.push(`-A ${KUBE_SERVICES} ${clusterIPMatch} -j ${internalChain}`);
  if (c.externallyAccessible) {
    for (const ip of svc.externalIPs) {
      out.services.push(`-A ${KUBE_SERVICES} -m comment --comment "${c.name} external IP" ${match(c.proto, ip, svc.port)} -j ${ch.ext}`);
    }
    for (const ip of svc.loadBalancerIPs) {
      out.services.push(`-A ${KUBE_SERVICES} -m comment --comment "${c.name} loadbalancer IP" ${match(c.proto, ip, svc.port)} -j ${usesFW ? ch.fw : ch.ext}`);
    }
    if (svc.nodePort !== 0) {
      out.nodePorts.push(`-A ${KUBE_NODEPORTS} -m comment --comment ${c.name} -m ${c.proto} -p ${c.proto} --dport ${svc.nodePort} -j ${ch.ext}`);
    }
  }

  // Off-cluster sources reaching a cluster IP are masqueraded (all of them without a cluster CIDR).
  if (c.hasInternalEndpoints) {
    const notLocal = ctx.clusterCIDR === '' ? '' : ` ! -s ${ctx.clusterCIDR}`;
    out.rules.push(`-A ${internalChain} ${clusterIPMatch}${notLocal} -j ${KUBE_MARK_MASQ}`);
  }

  if (c.externallyAccessible) {
    out.chains.push(ch.ext);
    if (!c.externalLocal) {
      out.rules.push(`-A ${ch.ext} -m comment --comment "masquerade traffic for ${c.name} external destinations" -j ${KUBE_MARK_MASQ}`);
    } else if (c.usesClusterChain) {
      // Pods and the node itself reach external IPs as if from outside and back in: no policy.
      if (ctx.clusterCIDR !== '') {
        out.rules.push(`-A ${ch.ext} -m comment --comment "pod traffic for ${c.name} external destinations" -s ${ctx.clusterCIDR} -j ${ch.svc}`);
      }
      out.rules.push(`-A ${ch.ext} -m comment --comment "masquerade LOCAL traffic for ${c.name} external destinations" -m addrtype --src-type LOCAL -j ${KUBE_MARK_MASQ}`);
      out.rules.push(`-A ${ch.ext} -m comment --comment "route LOCAL traffic for ${c.name} external destinations" -m addrtype --src-type LOCAL -j ${ch.svc}`);
    }
    if (c.hasExternalEndpoints) out.rules.push(`-A ${ch.ext} -j ${externalPolicyChain}`);
  }

  if (usesFW) {
    out.chains.push(ch.fw);
    const head = `-A ${ch.fw} -m comment --comment "${c.name} loadbalancer IP"`;
    let allowFromNode = false;
    for (const cidr of svc.loadBalancerSourceRanges) {
      out.rules.push(`${head} -s ${cidr} -j ${ch.ext}`);
      if (ctx.nodeIPs.some((ip) => cidrContains(cidr, ip))) allowFromNode = true;
    }
    if (allowFromNode) {
      for (const ip of svc.loadBalancerIPs) out.rules.push(`${head} -s ${ip} -j ${ch.ext}`);
    }
    out.rules.push(`-A ${ch.fw} -m comment --comment "other traffic to ${c.name} will be dropped by ${KUBE_PROXY_FIREWALL}"`);
  }

  const epChains = new Map<string, { ep: Endpoint; chain: string; str: string }>();
  const chainOf = (ep: Endpoint): string => {
    const str = `${ep.ip}:${ep.port}`;
    let e = epChains.get(str);
    if (e === undefined) {
      e = { ep, chain: endpointChain(c.name, c.proto, str), str };
      epChains.set(str, e);
    }
    return e.chain;
  };
  if (c.usesClusterChain) {
    out.chains.push(ch.svc);
    writeEndpointRules(out.rules, ch.svc, c.clusterEps, c.name, svc.affinityTimeoutSeconds, ctx, chainOf);
  }
  if (c.usesLocalChain) {
    out.chains.push(ch.svl);
    writeEndpointRules(out.rules, ch.svl, c.localEps, c.name, svc.affinityTimeoutSeconds, ctx, chainOf);
  }

  const comment = ctx.largeCluster ? '' : ` -m comment --comment ${c.name}`;
  for (const { ep, chain, str } of epChains.values()) {
    out.chains.push(chain);
    out.rules.push(`-A ${chain}${comment} -s ${ep.ip} -j ${KUBE_MARK_MASQ}`);
    const recent = svc.affinityTimeoutSeconds > 0 ? ` -m recent --name ${chain} --set` : '';
    out.rules.push(`-A ${chain}${comment}${recent} -m ${c.proto} -p ${c.proto} -j DNAT --to-destination ${str}`);
  }
  return out;
}

/** Affinity rules first, then random balancing with probability 1/(n-i); the last one always matches. */
function writeEndpointRules(
  rules: string[],
  chain: string,
  eps: readonly Endpoint[],
  name: string,
  affinitySeconds: number,
  ctx: RenderContext,
  chainOf: (ep: Endpoint) => string,
): void {
  const comment = (ep: Endpoint): string => (ctx.largeCluster ? '' : ` -m comment --comment "${name} -> ${ep.ip}:${ep.port}"`);
  if (affinitySeconds > 0) {
    for (const ep of eps) {
      const sep = chainOf(ep);
      rules.push(`-A ${chain}${comment(ep)} -m recent --name ${sep} --rcheck --seconds ${affinitySeconds} --reap -j ${sep}`);
    }
  }
  const n = eps.length;
  eps.forEach((ep, i) => {
    const stat = i < n - 1 ? ` -m statistic --mode random --probability ${probability(n - i)}` : '';
    rules.push(`-A ${chain}${comment(ep)}${stat} -j ${chainOf(ep)}`);
  });
}
