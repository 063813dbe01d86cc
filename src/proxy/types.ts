// The proxy's model, shared by the tracker (what the cluster says), the planner (what the kernel
// should do, mode-independent) and the rule backends (iptables, nftables) that render a plan.
// Plain data: backends are golden-tested by building plans by hand.

export type L4Protocol = 'TCP' | 'UDP' | 'SCTP';

/** One port of one Service: upstream's ServicePortName "ns/name:portName" plus the protocol. */
export interface ServicePortKey {
  namespace: string;
  name: string;
  /** The port's name ('' for an unnamed single port). */
  port: string;
  protocol: L4Protocol;
}

export interface Endpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** The endpoint's nodeName equals this node's (for traffic policy Local). */
  isLocal: boolean;
  /** Its zone hints are ignored; kept for completeness. */
  nodeName?: string;
}

export interface ServicePort {
  key: ServicePortKey;
  /** IPv4 cluster IP; undefined for headless services (no rules). */
  clusterIP: string | undefined;
  port: number;
  /** 0 when none. */
  nodePort: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  /** Source ranges for LoadBalancer (KUBE-FW-). */
  loadBalancerSourceRanges: string[];
  /** ClientIP affinity timeout in seconds; 0 = no affinity. */
  affinityTimeoutSeconds: number;
  externalPolicyLocal: boolean;
  internalPolicyLocal: boolean;
  /** Service type, for NodePort/LoadBalancer handling. */
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
}

/** A service port with the endpoints it should use, as the planner decided. */
export interface PlannedService {
  svc: ServicePort;
  /** Endpoints for traffic to the cluster IP (internalTrafficPolicy applied). */
  clusterEndpoints: Endpoint[];
  /** Endpoints for traffic from outside (nodePort, externalIPs, LB; externalTrafficPolicy applied). */
  externalEndpoints: Endpoint[];
  /** All usable endpoints (ready, else serving-terminating), for KUBE-SEP- chains. */
  allEndpoints: Endpoint[];
  /** True when there are no usable endpoints at all: the backend answers with REJECT. */
  noEndpoints: boolean;
}

export interface ProxyPlan {
  /** Sorted by key for stable output. */
  services: PlannedService[];
  /** The node's IPs (for NodePort destination matching when not using 'nodeport addresses'). */
  nodeIPs: string[];
  /** The cluster CIDR, for masquerading off-cluster traffic to cluster IPs ("" = masquerade all). */
  clusterCIDR: string;
  /** Which service port keys changed since the last successful sync (undefined = full sync). */
  changed: Set<string> | undefined;
}

/** "ns/name:port/protocol", upstream's service port name plus protocol, used in chain hashes. */
export function servicePortName(key: ServicePortKey): string {
  return `${key.namespace}/${key.name}${key.port === '' ? '' : `:${key.port}`}`;
}

export function serviceKeyString(key: ServicePortKey): string {
  return `${servicePortName(key)}/${key.protocol.toLowerCase()}`;
}

/**
 * The kernel side of one proxy mode. render() is pure and golden-tested; apply() makes exactly one
 * atomic kernel write (iptables-restore --noflush, nft -f) through the injected Exec.
 */
export interface RuleBackend {
  readonly mode: 'iptables' | 'nftables';
  /** The transaction text for the plan; partial when plan.changed is set and the backend supports it. */
  render(plan: ProxyPlan): string;
  /** Applies one transaction; throws a NodeletError (ExecFailed) with the tool's stderr on failure. */
  apply(text: string, signal?: AbortSignal): Promise<void>;
  /** Removes every rule and chain/table this backend ever created (`nodelet proxy --cleanup`). */
  cleanup(signal?: AbortSignal): Promise<void>;
  /** False when the canary shows the tables were flushed behind our back: the next sync is full. */
  canaryPresent(signal?: AbortSignal): Promise<boolean>;
}
