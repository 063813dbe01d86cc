// Chain names and small formatting helpers shared by the iptables renderer, with upstream
// kube-proxy's names (pkg/proxy/iptables/proxier.go) so existing tooling and runbooks apply.
import { hash } from 'node:crypto';

export const KUBE_SERVICES = 'KUBE-SERVICES';
export const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
export const KUBE_FORWARD = 'KUBE-FORWARD';
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
export const KUBE_PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL';
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';
export const KUBE_PROXY_CANARY = 'KUBE-PROXY-CANARY';

/** Upstream's default masquerade bit 14. */
export const MASQ_MARK = '0x4000';

/** Fixed chains this backend owns in each table (service chains are recognised by prefix). */
export const FILTER_CHAINS = [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL] as const;
export const NAT_CHAINS = [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ] as const;

const SERVICE_CHAIN_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-EXT-', 'KUBE-FW-', 'KUBE-SEP-'] as const;

/** A per-service or per-endpoint chain (upstream's isServiceChainName). */
export function isServiceChainName(chain: string): boolean {
  return SERVICE_CHAIN_PREFIXES.some((p) => chain.startsWith(p));
}

/** Every chain name this backend ever creates, in any table (kubelet's KUBE-FIREWALL is not ours). */
export function isOwnedChain(chain: string): boolean {
  return (
    isServiceChainName(chain) ||
    chain === KUBE_PROXY_CANARY ||
    (FILTER_CHAINS as readonly string[]).includes(chain) ||
    (NAT_CHAINS as readonly string[]).includes(chain)
  );
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The first 16 characters of base32(sha256(input)): 10 bytes give exactly 16 characters. */
export function hash16(input: string): string {
  const digest = hash('sha256', input, 'buffer'); // one-shot: a large full sync hashes ~30,000 names
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < 10; i++) {
    buffer = (buffer << 8) | (digest[i] ?? 0);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/** Chain names of one service port; `name` is upstream's ServicePortName string, `protocol` lower case. */
export interface ServiceChains {
  svc: string;
  svl: string;
  ext: string;
  fw: string;
}

export function serviceChains(name: string, protocol: string): ServiceChains {
  const h = hash16(name + protocol);
  return { svc: `KUBE-SVC-${h}`, svl: `KUBE-SVL-${h}`, ext: `KUBE-EXT-${h}`, fw: `KUBE-FW-${h}` };
}

/** KUBE-SEP- chain of one endpoint ("ip:port") of a service port. */
export function endpointChain(name: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hash16(name + protocol + endpoint)}`;
}

const probabilities: string[] = [];

/** 1/n formatted as upstream's %0.10f, cached: the same few values recur on every rule. */
export function probability(n: number): string {
  let p = probabilities[n];
  if (p === undefined) {
    p = (1 / n).toFixed(10);
    probabilities[n] = p;
  }
  return p;
}

export { cidrContains } from '../shared.js';
