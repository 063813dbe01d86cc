// The address and port spaces Services draw from: an IPv4 CIDR (--service-cluster-ip-range) and a
// port range (--service-node-port-range). Pure.
import { intToIpv4, ipv4ToInt } from '../../base/ipv4.js';
import { NodeletError, ErrorCode } from '../../base/errors.js';

export interface IPv4Range {
  /** Normalized, e.g. "10.96.0.0/12". */
  cidr: string;
  network: number;
  /** Addresses in the CIDR, network and broadcast included. */
  size: number;
}

export { intToIpv4, ipv4ToInt } from '../../base/ipv4.js';

export function parseIPv4Range(text: string): IPv4Range {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text.trim());
  const base = m === null ? undefined : ipv4ToInt(m[1] ?? '');
  const prefix = Number(m?.[2] ?? -1);
  if (base === undefined || prefix < 8 || prefix > 30) {
    throw new NodeletError(ErrorCode.InvalidConfig, `service cluster IP range ${JSON.stringify(text)} must be an IPv4 CIDR with a prefix from /8 to /30, e.g. 10.96.0.0/12`);
  }
  const size = 2 ** (32 - prefix);
  const network = (base - (base % size)) >>> 0;
  return { cidr: `${intToIpv4(network)}/${prefix}`, network, size };
}

/** Offsets usable for Services: all but the network and broadcast addresses. */
export function ipOffset(range: IPv4Range, ip: string): number | undefined {
  const n = ipv4ToInt(ip);
  if (n === undefined) return undefined;
  const offset = n - range.network;
  return offset >= 1 && offset <= range.size - 2 ? offset : undefined;
}

export function ipAt(range: IPv4Range, offset: number): string {
  return intToIpv4((range.network + offset) >>> 0);
}

/** The `kubernetes` Service's address: the first usable one. */
export function firstIP(range: IPv4Range): string {
  return ipAt(range, 1);
}

export interface PortRange {
  low: number;
  high: number;
}

export function parsePortRange(text: string): PortRange {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  const low = Number(m?.[1] ?? 0);
  const high = Number(m?.[2] ?? 0);
  if (m === null || low < 1 || high > 65535 || low > high) {
    throw new NodeletError(ErrorCode.InvalidConfig, `service node port range ${JSON.stringify(text)} must be LOW-HIGH within 1-65535, e.g. 30000-32767`);
  }
  return { low, high };
}

export function formatPortRange(r: PortRange): string {
  return `${r.low}-${r.high}`;
}
