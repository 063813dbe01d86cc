// The pure core of the iptables backend: a plan plus what the last successful apply wrote give the
// iptables-restore input for this sync and what will have been written once it is applied.
//
// Full sync: every chain we own is declared (flushed) and rewritten, chains that disappeared since
// the previous write are deleted. Partial sync (plan.changed set, previous state valid): only the
// changed services' chains are rewritten; KUBE-SERVICES and KUBE-NODEPORTS are edited in place
// (-D of rules that went away, -I/-A of new ones) because rewriting them costs O(services) per sync
// (0.6 s at 5,000 services measured here), which a one-service change must not pay. The filter
// table is small (only services without usable endpoints have rules) and is rewritten every time.
import { plannedKey } from '../shared.js';
import type { PlannedService, ProxyPlan } from '../../types.js';
import { serviceKeyString } from '../../types.js';
import {
  FILTER_CHAINS,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_CANARY,
  KUBE_SERVICES,
  MASQ_MARK,
  NAT_CHAINS,
} from './names.js';
import { filterServiceRules, natServiceRules, type FilterServiceRules, type RenderContext } from './service-rules.js';

/** Upstream's largeClusterEndpointsThreshold. */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

/**
 * Above this many chain declarations in one nat transaction, the transaction starts with `-Z`
 * (zero the nat table's counters). iptables-nft 1.8.9 keeps the chains a --noflush restore names
 * in a sorted linked list (nft-cache.c cache_chain_list_insert), which is quadratic in the number
 * of chains; a command without a chain makes it fetch all chains instead. Measured here: 4,000
 * services x 5 endpoints, 11.8 s -> 1.6 s of CPU. The price is reset packet counters in nat.
 */
export const ZERO_COUNTERS_CHAIN_THRESHOLD = 1000;

/** What one service port has in the nat table, as written. */
export interface WrittenService {
  chains: readonly string[];
  services: readonly string[];
  nodePorts: readonly string[];
  /** Its filter rules, reused by partial syncs for services that did not change. */
  filter: FilterServiceRules;
}

/** What the last successful apply left in the kernel, as far as partial syncs need to know. */
export interface WrittenState {
  /** False at start and after a failed apply: the next render is full. */
  valid: boolean;
  services: ReadonlyMap<string, WrittenService>;
  largeCluster: boolean;
  /** clusterCIDR and node IPs: when they change every service's rules change. */
  settings: string;
  /** The filter section last written: a partial sync whose filter section is the same skips it. */
  filter: string;
}

export function unknownWrittenState(): WrittenState {
  return { valid: false, services: new Map(), largeCluster: false, settings: '', filter: '' };
}

export interface RenderResult {
  text: string;
  next: WrittenState;
  full: boolean;
  /** Services whose nat chains were (re)written. */
  servicesWritten: number;
}

function settingsOf(plan: ProxyPlan): string {
  return `${plan.clusterCIDR}|${plan.nodeIPs.join(',')}`;
}

function isLargeCluster(plan: ProxyPlan): boolean {
  let total = 0;
  for (const ps of plan.services) total += ps.allEndpoints.length;
  return total > LARGE_CLUSTER_ENDPOINTS;
}

export function renderIptables(plan: ProxyPlan, previous: WrittenState): RenderResult {
  const ctx: RenderContext = { clusterCIDR: plan.clusterCIDR, nodeIPs: plan.nodeIPs, largeCluster: isLargeCluster(plan) };
  const settings = settingsOf(plan);
  const full =
    plan.changed === undefined || !previous.valid || previous.largeCluster !== ctx.largeCluster || previous.settings !== settings;
  const nat = full ? renderNatFull(plan, previous, ctx) : renderNatPartial(plan, plan.changed ?? new Set(), previous, ctx);
  const filter = renderFilter(nat.services.values(), full);
  const mangle = full ? `*mangle\n:${KUBE_PROXY_CANARY} - [0:0]\nCOMMIT\n` : '';
  // Every table in the input is one more kernel transaction (iptables-nft validates the table).
  const writeFilter = full || filter !== previous.filter;
  return {
    text: (writeFilter ? filter : '') + nat.text + mangle,
    next: { valid: true, services: nat.services, largeCluster: ctx.largeCluster, settings, filter },
    full,
    servicesWritten: nat.written,
  };
}

function renderFilter(written: Iterable<WrittenService>, full: boolean): string {
  const services: string[] = [];
  const external: string[] = [];
  const firewall: string[] = [];
  for (const { filter: r } of written) {
    for (const l of r.services) services.push(l);
    for (const l of r.external) external.push(l);
    for (const l of r.firewall) firewall.push(l);
  }
  const lines = ['*filter'];
  for (const c of FILTER_CHAINS) lines.push(`:${c} - [0:0]`);
  if (full) lines.push(`:${KUBE_PROXY_CANARY} - [0:0]`);
  lines.push(...services, ...external, ...firewall);
  lines.push(
    `-A ${KUBE_FORWARD} -m conntrack --ctstate INVALID -j DROP`,
    `-A ${KUBE_FORWARD} -m comment --comment "kubernetes forwarding rules" -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`,
    `-A ${KUBE_FORWARD} -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    'COMMIT',
    '',
  );
  return lines.join('\n');
}

const NODEPORTS_JUMP =
  `-A ${KUBE_SERVICES} -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain"` +
  ` -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j ${KUBE_NODEPORTS}`;

interface NatText {
  text: string;
  services: Map<string, WrittenService>;
  written: number;
}

function renderNatFull(plan: ProxyPlan, previous: WrittenState, ctx: RenderContext): NatText {
  const chains: string[] = [];
  const rules: string[] = [];
  const servicesRules: string[] = [];
  const nodePortRules: string[] = [];
  const services = new Map<string, WrittenService>();
  const live = new Set<string>();
  for (const ps of plan.services) {
    const r = natServiceRules(ps, ctx);
    services.set(serviceKeyString(ps.svc.key), { chains: r.chains, services: r.services, nodePorts: r.nodePorts, filter: filterServiceRules(ps) });
    for (const c of r.chains) {
      chains.push(`:${c} - [0:0]`);
      live.add(c);
    }
    for (const l of r.rules) rules.push(l);
    for (const l of r.services) servicesRules.push(l);
    for (const l of r.nodePorts) nodePortRules.push(l);
  }
  // Chains we wrote last time that no service uses any more (after a restart or failure the
  // backend also asks the kernel, see index.ts).
  const stale: string[] = [];
  for (const w of previous.services.values()) for (const c of w.chains) if (!live.has(c)) stale.push(c);

  const head = ['*nat'];
  if (chains.length + stale.length > ZERO_COUNTERS_CHAIN_THRESHOLD) head.push('-Z');
  for (const c of NAT_CHAINS) head.push(`:${c} - [0:0]`);
  head.push(`:${KUBE_PROXY_CANARY} - [0:0]`);
  for (const c of stale) chains.push(`:${c} - [0:0]`);
  const fixed = [
    `-A ${KUBE_POSTROUTING} -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A ${KUBE_POSTROUTING} -j MARK --xor-mark ${MASQ_MARK}`,
    `-A ${KUBE_POSTROUTING} -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully`,
    `-A ${KUBE_MARK_MASQ} -j MARK --or-mark ${MASQ_MARK}`,
  ];
  servicesRules.push(NODEPORTS_JUMP);
  const tail = stale.map((c) => `-X ${c}`);
  tail.push('COMMIT', '');
  // Joined per section: one copy of a multi-megabyte text instead of an array of every line.
  const sections = [head, chains, fixed, servicesRules, nodePortRules, rules, tail].filter((a) => a.length > 0);
  return { text: sections.map((a) => a.join('\n')).join('\n'), services, written: plan.services.length };
}

function renderNatPartial(plan: ProxyPlan, changed: ReadonlySet<string>, previous: WrittenState, ctx: RenderContext): NatText {
  const services = new Map(previous.services);
  const byKey = new Map<string, PlannedService>();
  const todo = new Set<string>();
  for (const ps of plan.services) {
    const key = plannedKey(ps);
    byKey.set(key, ps);
    if (changed.has(key) || !previous.services.has(key)) todo.add(key);
  }
  for (const key of previous.services.keys()) if (!byKey.has(key)) todo.add(key);
  for (const key of changed) if (previous.services.has(key) || byKey.has(key)) todo.add(key);

  const declare: string[] = [];
  const deletes: string[] = [];
  const rules: string[] = [];
  const inserts: string[] = [];
  const removed: string[] = [];
  let written = 0;
  for (const key of [...todo].sort()) {
    const ps = byKey.get(key);
    const old = previous.services.get(key);
    const r = ps === undefined ? undefined : natServiceRules(ps, ctx);
    if (r === undefined || ps === undefined) services.delete(key);
    else services.set(key, { chains: r.chains, services: r.services, nodePorts: r.nodePorts, filter: filterServiceRules(ps) });
    const live = new Set(r?.chains ?? []);
    if (r !== undefined) {
      written++;
      for (const c of r.chains) declare.push(`:${c} - [0:0]`);
      for (const l of r.rules) rules.push(l);
    }
    for (const c of old?.chains ?? []) {
      if (!live.has(c)) {
        declare.push(`:${c} - [0:0]`);
        removed.push(`-X ${c}`);
      }
    }
    diffRules(old?.services ?? [], r?.services ?? [], KUBE_SERVICES, deletes, inserts, true);
    diffRules(old?.nodePorts ?? [], r?.nodePorts ?? [], KUBE_NODEPORTS, deletes, inserts, false);
  }
  const lines = ['*nat', ...declare, ...deletes, ...rules, ...inserts, ...removed, 'COMMIT', ''];
  return { text: lines.join('\n'), services, written };
}


/** -D for rules that went away, -I 1 (KUBE-SERVICES: the nodeports jump stays last) or -A for new ones. */
function diffRules(old: readonly string[], now: readonly string[], chain: string, deletes: string[], inserts: string[], prepend: boolean): void {
  const prefix = `-A ${chain} `;
  const nowSet = new Set(now);
  const oldSet = new Set(old);
  for (const l of old) if (!nowSet.has(l)) deletes.push(`-D ${l.slice(3)}`);
  for (const l of now) {
    if (oldSet.has(l)) continue;
    inserts.push(prepend ? `-I ${chain} 1 ${l.slice(prefix.length)}` : l);
  }
}
