// Pure planning: the tracker's state to a mode-independent ProxyPlan. Endpoint selection follows
// upstream's CategorizeEndpoints (pkg/proxy/topology.go, without topology hints): cluster traffic
// uses ready endpoints, or serving-terminating ones when none is ready; a traffic policy Local
// uses the local endpoints (ready ones, else serving-terminating ones). A service has "no
// endpoints" (REJECT) only when no usable endpoint exists anywhere; a Local policy without a local
// endpoint is an empty endpoint list on a service that still has endpoints (the backend DROPs).
import type { Endpoint, PlannedService, ProxyPlan, ServicePort } from './types.js';
import { serviceKeyString } from './types.js';
import { compareEndpoints } from './tracker/merge.js';
import type { ServicePortState } from './tracker/types.js';

export interface CategorizedEndpoints {
  /** Usable endpoints cluster-wide (empty when no policy uses them). */
  clusterEndpoints: Endpoint[];
  /** Usable local endpoints (empty when no policy is Local). */
  localEndpoints: Endpoint[];
  /** Every endpoint some traffic may reach from this node. */
  allReachable: Endpoint[];
  /** Usable endpoints exist somewhere in the cluster. */
  hasAnyEndpoints: boolean;
}

function externallyAccessible(svc: ServicePort): boolean {
  return svc.nodePort !== 0 || svc.externalIPs.length > 0 || svc.loadBalancerIPs.length > 0;
}

function usesClusterEndpoints(svc: ServicePort): boolean {
  return !svc.internalPolicyLocal || (externallyAccessible(svc) && !svc.externalPolicyLocal);
}

function usesLocalEndpoints(svc: ServicePort): boolean {
  return svc.internalPolicyLocal || (externallyAccessible(svc) && svc.externalPolicyLocal);
}

const servingTerminating = (ep: Endpoint): boolean => ep.serving && ep.terminating;

export function categorizeEndpoints(endpoints: readonly Endpoint[], svc: ServicePort): CategorizedEndpoints {
  let clusterEndpoints: Endpoint[] = [];
  let hasAnyEndpoints = false;
  if (usesClusterEndpoints(svc)) {
    clusterEndpoints = endpoints.filter((ep) => ep.ready);
    if (clusterEndpoints.length === 0) clusterEndpoints = endpoints.filter(servingTerminating);
    hasAnyEndpoints = clusterEndpoints.length > 0;
  }
  if (!usesLocalEndpoints(svc)) return { clusterEndpoints, localEndpoints: [], allReachable: clusterEndpoints, hasAnyEndpoints };

  let localReady = false;
  let localServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAnyEndpoints = true;
      if (ep.isLocal) localReady = true;
    } else if (servingTerminating(ep)) {
      hasAnyEndpoints = true;
      if (ep.isLocal) localServingTerminating = true;
    }
  }
  let localEndpoints: Endpoint[] = [];
  if (localReady) localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.ready);
  else if (localServingTerminating) localEndpoints = endpoints.filter((ep) => ep.isLocal && servingTerminating(ep));

  if (!usesClusterEndpoints(svc) || localEndpoints.length === 0) {
    return { clusterEndpoints, localEndpoints, allReachable: usesClusterEndpoints(svc) ? clusterEndpoints : localEndpoints, hasAnyEndpoints };
  }
  const merged = new Map<string, Endpoint>();
  for (const ep of [...clusterEndpoints, ...localEndpoints]) merged.set(`${ep.ip}:${ep.port}`, ep);
  return { clusterEndpoints, localEndpoints, allReachable: [...merged.values()].sort(compareEndpoints), hasAnyEndpoints };
}

export function planService(state: ServicePortState): PlannedService {
  const svc = state.svc;
  const endpoints = [...state.endpoints].sort(compareEndpoints);
  const c = categorizeEndpoints(endpoints, svc);
  return {
    svc,
    clusterEndpoints: svc.internalPolicyLocal ? c.localEndpoints : c.clusterEndpoints,
    externalEndpoints: svc.externalPolicyLocal ? c.localEndpoints : c.clusterEndpoints,
    allEndpoints: c.allReachable,
    noEndpoints: !c.hasAnyEndpoints,
  };
}

export interface PlanInput {
  services: Iterable<ServicePortState>;
  nodeIPs: readonly string[];
  clusterCIDR: string;
  /** Changed service port keys for a partial sync; undefined for a full one. */
  changed: ReadonlySet<string> | undefined;
}

interface CachedPlan {
  key: string;
  planned: PlannedService;
}

// Planned services by the state object they came from: the tracker replaces a port's state when it
// changes, and a partial sync re-plans its `changed` keys anyway, so an entry is reused only for an
// unchanged key with the very same state object.
const planCache = new WeakMap<ServicePortState, CachedPlan>();

// The previous plan's keys in order (key -> index): when the next plan has the same keys, which is
// every sync that adds or removes no service, its order is reused instead of sorting again.
let lastOrder = new Map<string, number>();

export function buildPlan(input: PlanInput): ProxyPlan {
  const changed = input.changed;
  const entries: CachedPlan[] = [];
  for (const st of input.services) {
    if (st.svc.clusterIP === undefined || st.svc.type === 'ExternalName') continue;
    let entry = changed === undefined ? undefined : planCache.get(st);
    if (entry === undefined || changed?.has(entry.key) !== false) {
      entry = { key: serviceKeyString(st.svc.key), planned: planService(st) };
      planCache.set(st, entry);
    }
    entries.push(entry);
  }
  return {
    services: inKeyOrder(entries).map((e) => e.planned),
    nodeIPs: [...input.nodeIPs].sort(),
    clusterCIDR: input.clusterCIDR,
    changed: changed === undefined ? undefined : new Set([...changed].sort()),
  };
}

/** The entries sorted by key: placed by the previous order when the key set is the same, else sorted. */
function inKeyOrder(entries: CachedPlan[]): CachedPlan[] {
  if (entries.length === lastOrder.size) {
    const out = new Array<CachedPlan | undefined>(entries.length);
    let same = true;
    for (const e of entries) {
      const i = lastOrder.get(e.key);
      if (i === undefined || out[i] !== undefined) {
        same = false;
        break;
      }
      out[i] = e;
    }
    if (same) return out as CachedPlan[];
  }
  const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  lastOrder = new Map(sorted.map((e, i) => [e.key, i]));
  return sorted;
}
