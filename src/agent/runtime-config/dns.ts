// A pod's CRI DNS config as upstream's dns.Configurer.GetPodDNS (pkg/kubelet/network/dns/dns.go):
// the DNS policy picks the base (cluster DNS, the host's resolv.conf or nothing), the pod's
// dnsConfig is merged in, and the result is cut to the libc limits with a warning event.
import type { Pod, PodDnsConfig } from '../../api/pod-types.js';
import type { DNSConfig } from '../../cri/types.js';

export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
/** Longer search domains make some resolvers (glibc 2.28) abort; upstream drops them. */
const MAX_SEARCH_DOMAIN_LENGTH = 253;
const DEFAULT_DNS_OPTIONS = ['ndots:5'];

/** A warning event on the pod, with upstream's reason. */
export interface DnsWarning {
  reason: 'MissingClusterDNS' | 'DNSConfigForming';
  message: string;
}

export interface DnsOptions {
  clusterDNS: string[];
  clusterDomain: string;
  /** The content of the host's resolv.conf; undefined = none configured (--resolv-conf=""). */
  hostResolvConf: string | undefined;
}

export interface DnsResult {
  dns: DNSConfig;
  /** All warnings' messages joined with '; ' (undefined when none). */
  warning?: string;
  warnings: DnsWarning[];
}

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

/** Options keep one entry per name (text before ':'); a later one replaces an earlier one in place. */
function appendOptions(options: string[], more: string[]): string[] {
  const byName = new Map<string, string>();
  for (const o of [...options, ...more]) byName.set(o.split(':')[0] ?? o, o);
  return [...byName.values()];
}

/** parseResolvConf: nameservers accumulate, the last search line wins, options merge by name. */
export function parseResolvConf(content: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const line of content.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/).filter((f) => f !== '');
    const [kind, ...rest] = fields;
    if (kind === 'nameserver' && rest[0] !== undefined) out.nameservers.push(rest[0]);
    // A trailing dot is dropped so that a.com and a.com. count once toward the limits.
    if (kind === 'search') out.searches = rest.filter((s) => s !== '.').map((s) => s.replace(/\.$/, ''));
    if (kind === 'options') out.options = appendOptions(out.options, rest);
  }
  return out;
}

function omitDuplicates(items: string[]): string[] {
  return [...new Set(items)];
}

/** mergeDNSOptions: the pod's options override the base's by name. */
function mergeOptions(existing: string[], podOptions: NonNullable<PodDnsConfig['options']>): string[] {
  const byName = new Map<string, string>();
  for (const o of existing) {
    const at = o.indexOf(':');
    if (at === -1) byName.set(o, '');
    else byName.set(o.slice(0, at), o.slice(at + 1));
  }
  for (const o of podOptions) byName.set(o.name, o.value ?? '');
  return [...byName].map(([name, value]) => (value === '' ? name : `${name}:${value}`));
}

/** formDNSSearchFitsLimits. */
function fitSearches(searches: string[], warnings: DnsWarning[]): string[] {
  let exceeded = false;
  let out = searches;
  if (out.length > MAX_DNS_SEARCH_PATHS) {
    out = out.slice(0, MAX_DNS_SEARCH_PATHS);
    exceeded = true;
  }
  const kept = out.filter((s) => s.length <= MAX_SEARCH_DOMAIN_LENGTH);
  if (kept.length !== out.length) exceeded = true;
  out = kept;
  const lineLength = out.join(' ').length;
  if (lineLength > MAX_DNS_SEARCH_LIST_CHARS) {
    let cut = 0;
    let cutLength = 0;
    for (let i = out.length - 1; i >= 0; i--) {
      cutLength += (out[i]?.length ?? 0) + 1;
      cut++;
      if (lineLength - cutLength <= MAX_DNS_SEARCH_LIST_CHARS) break;
    }
    out = out.slice(0, out.length - cut);
    exceeded = true;
  }
  if (exceeded) {
    warnings.push({
      reason: 'DNSConfigForming',
      message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(' ')}`,
    });
  }
  return out;
}

/** formDNSNameserversFitsLimits. */
function fitNameservers(servers: string[], warnings: DnsWarning[]): string[] {
  if (servers.length <= MAX_DNS_NAMESERVERS) return servers;
  const out = servers.slice(0, MAX_DNS_NAMESERVERS);
  warnings.push({
    reason: 'DNSConfigForming',
    message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${out.join(' ')}`,
  });
  return out;
}

type PodDnsType = 'cluster' | 'host' | 'none';

/** getPodDNSType: ClusterFirst on the host network falls back to Default. */
function podDnsType(pod: Pod): PodDnsType {
  switch (pod.spec.dnsPolicy ?? 'ClusterFirst') {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'ClusterFirst':
      return pod.spec.hostNetwork === true ? 'host' : 'cluster';
    case 'Default':
      return 'host';
    default:
      // Not reachable for validated pods; upstream falls back to ClusterFirst.
      return 'cluster';
  }
}

/** generateSearchesForDNSClusterFirst. */
function clusterSearches(hostSearches: string[], namespace: string, clusterDomain: string): string[] {
  if (clusterDomain === '') return hostSearches;
  return omitDuplicates([`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain, ...hostSearches]);
}

/** GetPodDNS. Pure: the caller reads resolv.conf and records the warnings as pod events. */
export function buildDnsConfig(pod: Pod, opts: DnsOptions): DnsResult {
  const warnings: DnsWarning[] = [];
  const host = opts.hostResolvConf === undefined ? undefined : parseResolvConf(opts.hostResolvConf);
  let dns: Required<DNSConfig> = {
    servers: host?.nameservers ?? [],
    searches: host?.searches ?? [],
    options: host?.options ?? [],
  };
  let type = podDnsType(pod);
  if (type === 'none') dns = { servers: [], searches: [], options: [] };
  if (type === 'cluster') {
    if (opts.clusterDNS.length > 0) {
      dns = {
        servers: [...opts.clusterDNS],
        searches: clusterSearches(dns.searches, pod.metadata.namespace, opts.clusterDomain),
        options: [...DEFAULT_DNS_OPTIONS],
      };
    } else {
      warnings.push({
        reason: 'MissingClusterDNS',
        message: `pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`,
      });
      type = 'host';
    }
  }
  if (type === 'host' && host === undefined) {
    // No resolv.conf: "use the nameserver on the local machine", and no search path.
    dns = { servers: ['127.0.0.1'], searches: ['.'], options: dns.options };
  }
  const podDns = pod.spec.dnsConfig;
  if (podDns !== undefined) {
    dns = {
      servers: omitDuplicates([...dns.servers, ...(podDns.nameservers ?? [])]),
      searches: omitDuplicates([...dns.searches, ...(podDns.searches ?? [])]),
      options: mergeOptions(dns.options, podDns.options ?? []),
    };
  }
  dns.servers = fitNameservers(dns.servers, warnings);
  dns.searches = fitSearches(dns.searches, warnings);
  const result: DnsResult = { dns, warnings };
  if (warnings.length > 0) result.warning = warnings.map((w) => w.message).join('; ');
  return result;
}
