// Names inside the nftables table, as upstream kube-proxy's nftables mode spells them
// (pkg/proxy/nftables/proxier.go): the table holds everything, so names need no prefix of their own.
import { hash } from 'node:crypto';
import type { Endpoint, ServicePortKey } from '../../types.js';

/**
 * The table. The issue asks for a `nodelet` table (upstream's is `kube-proxy`); a different name also
 * lets upstream kube-proxy and nodelet coexist on one machine without writing into each other's table.
 */
export const TABLE = 'nodelet';
export const FAMILY = 'ip';
/** `ip nodelet`, the prefix of every statement. */
export const TABLE_REF = `${FAMILY} ${TABLE}`;

export const MASQ_MARK = '0x4000';

// Fixed chains, sets and maps.
export const SERVICES_CHAIN = 'services';
export const SERVICE_IPS_MAP = 'service-ips';
/**
 * numgen value -> endpoint IP . port: the DNAT targets of services without affinity (dnat-slots.ts).
 * One map per protocol: nft 1.0.6 declares the port as `tcp dport` etc. (with `th dport` it
 * cannot read the table back).
 */
export type DnatMap = `endpoint-dnat-${number}-${L4}`;
export type L4 = 'tcp' | 'udp' | 'sctp';
export const L4_PROTOCOLS: readonly L4[] = ['tcp', 'udp', 'sctp'];
export function dnatMapName(shard: number, proto: L4): DnatMap {
  return `endpoint-dnat-${shard}-${proto}`;
}
/** cluster IP . port . i -> endpoint IP . port for chainless services of one protocol with N endpoints. */
export type ClusterDnatMap = `cluster-dnat-${L4}-${number}`;
export function clusterDnatMapName(proto: L4, endpoints: number): ClusterDnatMap {
  return `cluster-dnat-${proto}-${endpoints}`;
}
/** node port . i -> endpoint IP . port for chainless NodePort services of one protocol with N endpoints. */
export type NodePortDnatMap = `nodeport-dnat-${L4}-${number}`;
export function nodePortDnatMapName(proto: L4, endpoints: number): NodePortDnatMap {
  return `nodeport-dnat-${proto}-${endpoints}`;
}
/** The maps chainless services DNAT through, each with its own dispatch rules (skeleton.ts). */
export type DispatchMap = ClusterDnatMap | NodePortDnatMap;
export interface DispatchMapInfo {
  /** What the key starts with: the cluster IP and port, or the node port. */
  kind: 'cluster' | 'nodeport';
  proto: L4;
  n: number;
}
/** Kind, protocol and endpoint count of a dispatch map's name; undefined for other names. */
export function parseDispatchMap(name: string): DispatchMapInfo | undefined {
  const m = /^(cluster|nodeport)-dnat-(tcp|udp|sctp)-(\d+)$/.exec(name);
  const proto = L4_PROTOCOLS.find((p) => p === m?.[2]);
  const kind = m?.[1] === 'cluster' ? 'cluster' : m?.[1] === 'nodeport' ? 'nodeport' : undefined;
  return proto === undefined || kind === undefined || m?.[3] === undefined ? undefined : { kind, proto, n: Number(m[3]) };
}
export function dispatchMapName(info: DispatchMapInfo): DispatchMap {
  return info.kind === 'cluster' ? clusterDnatMapName(info.proto, info.n) : nodePortDnatMapName(info.proto, info.n);
}
/** Maps with "ip . port" data (not verdicts). */
export function isDnatMap(name: string): name is DnatMap | DispatchMap {
  return name.startsWith('endpoint-dnat-') || parseDispatchMap(name) !== undefined;
}
/** Cluster IP . protocol . port of services with endpoints: off-cluster sources are masqueraded. */
export const CLUSTER_IPS_SET = 'cluster-ips';
export const SERVICE_NODEPORTS_MAP = 'service-nodeports';
/** Protocol . node port of chainless NodePort services (Cluster policies): their traffic is masqueraded. */
export const CLUSTER_NODEPORTS_SET = 'cluster-nodeports';
export const NODEPORT_IPS_SET = 'nodeport-ips';
export const ENDPOINTS_CHECK_CHAIN = 'endpoints-check';
export const NO_ENDPOINT_SERVICES_MAP = 'no-endpoint-services';
export const NO_ENDPOINT_NODEPORTS_MAP = 'no-endpoint-nodeports';
export const REJECT_CHAIN = 'reject-chain';
export const FIREWALL_IPS_MAP = 'firewall-ips';
export const FIREWALL_CHECK_CHAIN = 'firewall-check';
export const MARK_MASQ_CHAIN = 'mark-for-masquerade';
export const MASQUERADING_CHAIN = 'masquerading';
/** Endpoint IP pairs "ip . ip": a DNATed packet from an endpoint to itself is masqueraded (hairpin). */
export const HAIRPIN_SET = 'hairpin-endpoints';
/** Holds one rule; a missing chain or rule means someone flushed or deleted the table behind our back. */
export const CANARY_CHAIN = 'canary';
export const CANARY_RULE = 'counter comment "nodelet-canary"';

/** The maps (and the cluster-ips set) whose elements services contribute (partial syncs add and delete single elements). */
export type ElementMap =
  | typeof SERVICE_IPS_MAP
  | typeof CLUSTER_IPS_SET
  | typeof CLUSTER_NODEPORTS_SET
  | DnatMap
  | DispatchMap
  | typeof SERVICE_NODEPORTS_MAP
  | typeof NO_ENDPOINT_SERVICES_MAP
  | typeof NO_ENDPOINT_NODEPORTS_MAP
  | typeof FIREWALL_IPS_MAP;

/** The fixed ones (endpoint-dnat maps come and go with their shards). */
export const ELEMENT_MAPS: readonly ElementMap[] = [
  SERVICE_IPS_MAP,
  CLUSTER_IPS_SET,
  CLUSTER_NODEPORTS_SET,
  SERVICE_NODEPORTS_MAP,
  NO_ENDPOINT_SERVICES_MAP,
  NO_ENDPOINT_NODEPORTS_MAP,
  FIREWALL_IPS_MAP,
];

// nft names are at most 256 bytes; upstream keeps 16 for the prefix.
const NAME_MAX = 256;
const PREFIX_MAX = 16;
const BASE_MAX = NAME_MAX - PREFIX_MAX;

/** Upstream's hashAndTruncate: "HASH8-name", the hash keeps names unique and visually distinct. */
export function hashAndTruncate(name: string): string {
  const cached = nameCache.get(name);
  if (cached !== undefined) return cached;
  // One-shot hash(): a Hash object per name costs more in GC than the hashing itself.
  const out = `${base32(hash('sha256', name, 'buffer')).slice(0, 8)}-${name}`;
  const result = out.length > BASE_MAX ? `${out.slice(0, BASE_MAX - 3)}...` : out;
  if (nameCache.size >= NAME_CACHE_MAX) nameCache.clear();
  nameCache.set(name, result);
  return result;
}

// Full syncs name the same chains again and again: remember them (bounded; cleared when full).
const NAME_CACHE_MAX = 500_000;
const nameCache = new Map<string, string>();

/** "HASH-ns/name/proto/port": slashes separate parts, as they cannot appear in the parts themselves. */
export function serviceChainBase(key: ServicePortKey): string {
  return hashAndTruncate(`${key.namespace}/${key.name}/${key.protocol.toLowerCase()}/${key.port}`);
}

/** "HASH-ns/name/proto/port__ip/port". */
export function endpointChainBase(key: ServicePortKey, ep: Pick<Endpoint, 'ip' | 'port'>): string {
  const ip = ep.ip.replaceAll(':', '.');
  return hashAndTruncate(`${key.namespace}/${key.name}/${key.protocol.toLowerCase()}/${key.port}__${ip}/${ep.port}`);
}

export interface ServiceChainNames {
  /** Endpoints for "Cluster" traffic policy. */
  cluster: string;
  /** Endpoints for "Local" traffic policy. */
  local: string;
  /** Where NodePort, externalIP and LoadBalancer traffic goes first. */
  external: string;
  /** loadBalancerSourceRanges. */
  firewall: string;
}

export function serviceChainNames(key: ServicePortKey): ServiceChainNames {
  const base = serviceChainBase(key);
  return { cluster: `service-${base}`, local: `local-${base}`, external: `external-${base}`, firewall: `firewall-${base}` };
}

export function endpointNames(key: ServicePortKey, ep: Pick<Endpoint, 'ip' | 'port'>): { chain: string; affinitySet: string } {
  const base = endpointChainBase(key, ep);
  return { chain: `endpoint-${base}`, affinitySet: `affinity-${base}` };
}

/** Service and endpoint chains carry a "/" (fixed chains never do): that is how leftovers are found. */
export function isServiceChainName(name: string): boolean {
  return name.includes('/');
}

export function isAffinitySetName(name: string): boolean {
  return name.startsWith('affinity-');
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (what Go's base32.StdEncoding gives), without padding: only a prefix is used. */
function base32(buf: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  // Only the first 8 characters are used: 5 bytes give exactly 8.
  for (const byte of buf.subarray(0, 5)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31] ?? '';
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31] ?? '';
  return out;
}
