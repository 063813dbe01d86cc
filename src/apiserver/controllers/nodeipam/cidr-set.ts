// The pod CIDRs of one cluster CIDR as a bitmap (upstream pkg/controller/nodeipam/ipam/cidrset):
// the cluster range cut into subnets of the node mask size, each free or taken; allocation scans
// from the subnet after the last one given, so a released subnet is not handed out again at once.
// IPv4 and IPv6, as BigInts. Pure.
import { ErrorCode, NodeletError } from '../../../base/errors.js';

/** Upstream refuses more than 2^16 subnets per cluster CIDR. */
const MAX_PREFIX_DIFF = 16;

export interface Cidr {
  /** Network address as a number. */
  base: bigint;
  prefix: number;
  bits: 32 | 128;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseIPv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && fill !== 0)) return undefined;
  let n = 0n;
  for (const g of [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(`0x${g}`);
  }
  return n;
}

export function parseCidr(text: string): Cidr {
  const [ip = '', len = '', ...rest] = text.trim().split('/');
  const bits = ip.includes(':') ? 128 : 32;
  const addr = bits === 32 ? parseIPv4(ip) : parseIPv6(ip);
  const prefix = /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (addr === undefined || rest.length > 0 || !(prefix >= 0 && prefix <= bits)) {
    throw new NodeletError(ErrorCode.InvalidConfig, `invalid CIDR ${JSON.stringify(text)}: expected an address and a prefix length, like 10.244.0.0/16`);
  }
  const hostBits = BigInt(bits - prefix);
  return { base: (addr >> hostBits) << hostBits, prefix, bits };
}

export function formatCidr(c: Cidr): string {
  if (c.bits === 32) {
    const b = c.base;
    return `${[24n, 16n, 8n, 0n].map((s) => String((b >> s) & 255n)).join('.')}/${c.prefix}`;
  }
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((c.base >> s) & 0xffffn).toString(16));
  // The canonical form (RFC 5952): the longest run of zero groups (2+) becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const text = best < 0 ? groups.join(':') : `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
  return `${text}/${c.prefix}`;
}

export class CidrSet {
  readonly cluster: Cidr;
  readonly nodeMaskSize: number;
  private readonly used: Uint8Array;
  private next = 0;
  private count = 0;

  constructor(clusterCidr: string, nodeMaskSize: number) {
    this.cluster = parseCidr(clusterCidr);
    if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < this.cluster.prefix || nodeMaskSize > this.cluster.bits) {
      throw new NodeletError(ErrorCode.InvalidConfig, `node CIDR mask size ${nodeMaskSize} does not fit cluster CIDR ${clusterCidr}`);
    }
    if (nodeMaskSize - this.cluster.prefix > MAX_PREFIX_DIFF) {
      throw new NodeletError(ErrorCode.InvalidConfig, `node CIDR mask size ${nodeMaskSize} is more than ${MAX_PREFIX_DIFF} bits longer than the cluster CIDR's ${this.cluster.prefix}`);
    }
    this.nodeMaskSize = nodeMaskSize;
    this.used = new Uint8Array(2 ** (nodeMaskSize - this.cluster.prefix));
  }

  get size(): number {
    return this.used.length;
  }

  get allocated(): number {
    return this.count;
  }

  private cidrAt(i: number): string {
    const shift = BigInt(this.cluster.bits - this.nodeMaskSize);
    return formatCidr({ base: this.cluster.base + (BigInt(i) << shift), prefix: this.nodeMaskSize, bits: this.cluster.bits });
  }

  /** The subnet index of a CIDR of this set, or undefined when it is not one. */
  private indexOf(cidr: string): number | undefined {
    let c: Cidr;
    try {
      c = parseCidr(cidr);
    } catch {
      return undefined;
    }
    if (c.bits !== this.cluster.bits || c.prefix !== this.nodeMaskSize) return undefined;
    const clusterHost = BigInt(this.cluster.bits - this.cluster.prefix);
    if (c.base >> clusterHost !== this.cluster.base >> clusterHost) return undefined;
    return Number((c.base - this.cluster.base) >> BigInt(this.cluster.bits - this.nodeMaskSize));
  }

  contains(cidr: string): boolean {
    return this.indexOf(cidr) !== undefined;
  }

  /** Takes the next free subnet; undefined when the range is full. */
  allocate(): string | undefined {
    for (let k = 0; k < this.used.length; k++) {
      const i = (this.next + k) % this.used.length;
      if (this.used[i] === 0) {
        this.used[i] = 1;
        this.count++;
        this.next = (i + 1) % this.used.length;
        return this.cidrAt(i);
      }
    }
    return undefined;
  }

  /** Marks a subnet taken (a node that already has it); false when it is not of this set. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    if (this.used[i] === 0) this.count++;
    this.used[i] = 1;
    return true;
  }

  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i === undefined || this.used[i] === 0) return;
    this.used[i] = 0;
    this.count--;
  }
}

export interface NodeIpamOptions {
  /** --cluster-cidr: one CIDR, or two of different families separated by a comma. */
  clusterCIDR?: string;
  /** --node-cidr-mask-size(-ipv4). */
  nodeCIDRMaskSize?: number;
  /** --node-cidr-mask-size-ipv6. */
  nodeCIDRMaskSizeIPv6?: number;
}

export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';

/** The CIDR sets --cluster-cidr and the mask sizes describe; InvalidConfig when they do not fit. Pure: flag parsing uses it. */
export function cidrSets(opts: NodeIpamOptions): CidrSet[] {
  const cidrs = (opts.clusterCIDR ?? DEFAULT_CLUSTER_CIDR).split(',').map((c) => c.trim()).filter((c) => c !== '');
  const sets = cidrs.map((c) => new CidrSet(c, c.includes(':') ? (opts.nodeCIDRMaskSizeIPv6 ?? 64) : (opts.nodeCIDRMaskSize ?? 24)));
  if (sets.length === 0 || sets.length > 2 || (sets.length === 2 && sets[0]?.cluster.bits === sets[1]?.cluster.bits)) {
    throw new NodeletError(ErrorCode.InvalidConfig, `--cluster-cidr ${JSON.stringify(opts.clusterCIDR)}: give one CIDR, or one IPv4 and one IPv6 CIDR`);
  }
  return sets;
}
