// The fixed part of the table: base chains hooked into netfilter with upstream's priorities, the
// dispatch chains, and the verdict maps that services fill. Written on every full sync (idempotent
// `add`s; `flush table` before it empties every chain but keeps sets, maps and their elements).
import {
  CANARY_CHAIN,
  CANARY_RULE,
  CLUSTER_IPS_SET,
  CLUSTER_NODEPORTS_SET,
  L4_PROTOCOLS,
  dnatMapName,
  parseDispatchMap,
  type DispatchMap,
  ENDPOINTS_CHECK_CHAIN,
  FIREWALL_CHECK_CHAIN,
  FIREWALL_IPS_MAP,
  HAIRPIN_SET,
  MARK_MASQ_CHAIN,
  MASQ_MARK,
  MASQUERADING_CHAIN,
  NODEPORT_IPS_SET,
  NO_ENDPOINT_NODEPORTS_MAP,
  NO_ENDPOINT_SERVICES_MAP,
  REJECT_CHAIN,
  SERVICES_CHAIN,
  SERVICE_IPS_MAP,
  SERVICE_NODEPORTS_MAP,
  TABLE_REF,
} from './names.js';

/** name, type, hook, priority: filter chains run before DNAT so they see the service IP. */
const BASE_CHAINS: ReadonlyArray<readonly [string, 'filter' | 'nat', string, string]> = [
  ['filter-prerouting', 'filter', 'prerouting', 'dstnat - 10'],
  ['filter-input', 'filter', 'input', '-110'],
  ['filter-forward', 'filter', 'forward', '-110'],
  ['filter-output', 'filter', 'output', '-110'],
  ['nat-prerouting', 'nat', 'prerouting', 'dstnat'],
  ['nat-output', 'nat', 'output', '-100'],
  ['nat-postrouting', 'nat', 'postrouting', 'srcnat'],
];

const FIXED_CHAINS = [
  ENDPOINTS_CHECK_CHAIN,
  FIREWALL_CHECK_CHAIN,
  SERVICES_CHAIN,
  MASQUERADING_CHAIN,
  MARK_MASQ_CHAIN,
  REJECT_CHAIN,
  CANARY_CHAIN,
];

const ADDR_MAP = 'ipv4_addr . inet_proto . inet_service : verdict';
const PORT_MAP = 'inet_proto . inet_service : verdict';
const MAPS: ReadonlyArray<readonly [string, string, string]> = [
  [SERVICE_IPS_MAP, ADDR_MAP, 'ClusterIP, ExternalIP and LoadBalancer IP traffic'],
  [SERVICE_NODEPORTS_MAP, PORT_MAP, 'NodePort traffic'],
  [NO_ENDPOINT_SERVICES_MAP, ADDR_MAP, 'vmap to drop or reject packets to services with no endpoints'],
  [NO_ENDPOINT_NODEPORTS_MAP, PORT_MAP, 'vmap to drop or reject packets to service nodeports with no endpoints'],
  [FIREWALL_IPS_MAP, ADDR_MAP, 'destinations that are subject to LoadBalancerSourceRanges'],
];

export const TABLE_COMMENT = 'rules for nodelet proxy (kube-proxy nftables mode)';

/** Declarations: table, chains, sets and maps (all `add`, so they can precede `flush table`). */
export function skeletonDeclarations(out: string[]): void {
  out.push(`add table ${TABLE_REF} { comment "${TABLE_COMMENT}" ; }`);
  for (const [name, type, hook, prio] of BASE_CHAINS) {
    out.push(`add chain ${TABLE_REF} ${name} { type ${type} hook ${hook} priority ${prio} ; }`);
  }
  for (const name of FIXED_CHAINS) out.push(`add chain ${TABLE_REF} ${name}`);
  out.push(`add set ${TABLE_REF} ${NODEPORT_IPS_SET} { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }`);
  out.push(`add set ${TABLE_REF} ${CLUSTER_IPS_SET} { type ipv4_addr . inet_proto . inet_service ; comment "cluster IPs of services with endpoints" ; }`);
  out.push(`add set ${TABLE_REF} ${CLUSTER_NODEPORTS_SET} { type inet_proto . inet_service ; comment "node ports of services without a chain" ; }`);
  out.push(`add set ${TABLE_REF} ${HAIRPIN_SET} { type ipv4_addr . ipv4_addr ; comment "endpoints reaching themselves through a service" ; }`);
  for (const [name, type, comment] of MAPS) out.push(`add map ${TABLE_REF} ${name} { type ${type} ; comment "${comment}" ; }`);
}

/** Empties the maps and the node-port set (a full sync rewrites them); affinity sets are kept. */
export function skeletonFlushMaps(out: string[]): void {
  out.push(`flush set ${TABLE_REF} ${NODEPORT_IPS_SET}`);
  out.push(`flush set ${TABLE_REF} ${HAIRPIN_SET}`);
  out.push(`flush set ${TABLE_REF} ${CLUSTER_IPS_SET}`);
  out.push(`flush set ${TABLE_REF} ${CLUSTER_NODEPORTS_SET}`);
  for (const [name] of MAPS) out.push(`flush map ${TABLE_REF} ${name}`);
}

/** Rules of the fixed chains. */
export function skeletonRules(out: string[], nodeIPs: readonly string[], clusterCIDR: string): void {
  const rule = (chain: string, body: string): void => {
    out.push(`add rule ${TABLE_REF} ${chain} ${body}`);
  };
  rule('filter-input', `ct state new jump ${ENDPOINTS_CHECK_CHAIN}`);
  rule('filter-forward', `ct state new jump ${ENDPOINTS_CHECK_CHAIN}`);
  rule('filter-output', `ct state new jump ${ENDPOINTS_CHECK_CHAIN}`);
  rule('filter-prerouting', `ct state new jump ${FIREWALL_CHECK_CHAIN}`);
  rule('filter-output', `ct state new jump ${FIREWALL_CHECK_CHAIN}`);
  rule('nat-output', `jump ${SERVICES_CHAIN}`);
  rule('nat-prerouting', `jump ${SERVICES_CHAIN}`);
  rule('nat-postrouting', `jump ${MASQUERADING_CHAIN}`);

  rule(MARK_MASQ_CHAIN, `mark set mark or ${MASQ_MARK}`);
  // Hairpin: upstream marks in each endpoint chain (`ip saddr EP jump mark-for-masquerade`); here
  // the DNAT happens in the service chain, so the check is source == destination after DNAT.
  rule(MASQUERADING_CHAIN, `ct status dnat ip saddr . ip daddr @${HAIRPIN_SET} jump ${MARK_MASQ_CHAIN}`);
  rule(MASQUERADING_CHAIN, `mark and ${MASQ_MARK} == 0 return`);
  rule(MASQUERADING_CHAIN, `mark set mark xor ${MASQ_MARK}`);
  rule(MASQUERADING_CHAIN, 'masquerade fully-random');
  rule(REJECT_CHAIN, 'reject');
  rule(CANARY_CHAIN, CANARY_RULE);

  const nodePortMatch = nodePortDestination(nodeIPs);
  rule(ENDPOINTS_CHECK_CHAIN, `ip daddr . meta l4proto . th dport vmap @${NO_ENDPOINT_SERVICES_MAP}`);
  rule(ENDPOINTS_CHECK_CHAIN, `${nodePortMatch} meta l4proto . th dport vmap @${NO_ENDPOINT_NODEPORTS_MAP}`);
  rule(FIREWALL_CHECK_CHAIN, `ip daddr . meta l4proto . th dport vmap @${FIREWALL_IPS_MAP}`);
  const offCluster = clusterCIDR === '' ? '' : `ip saddr != ${clusterCIDR} `;
  rule(SERVICES_CHAIN, `${offCluster}ip daddr . meta l4proto . th dport @${CLUSTER_IPS_SET} jump ${MARK_MASQ_CHAIN}`);
  // Node ports with Cluster policy masquerade everything (upstream's external chain `jump
  // mark-for-masquerade`); services with a chain do it there, chainless ones here, before the
  // nodeport-dnat rules (added after the skeleton's).
  rule(SERVICES_CHAIN, `${nodePortMatch} meta l4proto . th dport @${CLUSTER_NODEPORTS_SET} jump ${MARK_MASQ_CHAIN}`);
  rule(SERVICES_CHAIN, `ip daddr . meta l4proto . th dport vmap @${SERVICE_IPS_MAP}`);
  rule(SERVICES_CHAIN, `${nodePortMatch} meta l4proto . th dport vmap @${SERVICE_NODEPORTS_MAP}`);
  if (nodeIPs.length > 0) out.push(`add element ${TABLE_REF} ${NODEPORT_IPS_SET} { ${nodeIPs.join(', ')} }`);
}

/** Declares and empties endpoint-dnat maps (shards `from`..`to`-1); a fresh shard may hold leftovers. */
export function dnatMaps(out: string[], from: number, to: number): void {
  for (let i = from; i < to; i++) {
    for (const proto of L4_PROTOCOLS) {
      out.push(`add map ${TABLE_REF} ${dnatMapName(i, proto)} { typeof numgen random mod 1 : ip daddr . ${proto} dport ; }`);
      out.push(`flush map ${TABLE_REF} ${dnatMapName(i, proto)}`);
    }
  }
}

/**
 * Where node ports answer: with node IPs, on those (upstream's nftables default, `--nodeport-addresses
 * primary`); without, on every local address but loopback.
 */
function nodePortDestination(nodeIPs: readonly string[]): string {
  return nodeIPs.length > 0 ? `ip daddr @${NODEPORT_IPS_SET}` : 'fib daddr type local ip daddr != 127.0.0.0/8';
}

/**
 * A dispatch map (chainless services of one protocol with n endpoints: cluster-dnat keyed by cluster
 * IP and port, nodeport-dnat by node port) and its rules: few rules per map, as the kernel checks
 * every element of a map against every rule bound to it. A packet of another service misses the map
 * and goes on. The first rule looks up keys n..2n-1, the overlay: a partial sync replaces a
 * service's endpoints by adding them there (add-only, see render.ts), which hides its keys 0..n-1
 * until a later sync deletes them.
 */
export function dispatchRules(out: string[], map: DispatchMap, nodeIPs: readonly string[]): void {
  const parsed = parseDispatchMap(map);
  if (parsed === undefined) return;
  const { kind, proto, n } = parsed;
  const key = kind === 'cluster' ? `ip daddr . ${proto} dport` : `${proto} dport`;
  const match = kind === 'cluster' ? '' : `${nodePortDestination(nodeIPs)} `;
  out.push(`add map ${TABLE_REF} ${map} { typeof ${key} . numgen random mod 1 : ip daddr . ${proto} dport ; }`);
  out.push(`flush map ${TABLE_REF} ${map}`);
  const rule = (offset: string): string =>
    `add rule ${TABLE_REF} ${SERVICES_CHAIN} ${match}meta l4proto ${proto} dnat ip addr . port to ${key} . numgen random mod ${n}${offset} map @${map}`;
  out.push(rule(` offset ${n}`), rule(''));
}
