// renderNft(plan, previous) -> { text, next }: the whole nft transaction for a sync, pure.
// A full sync flushes the table's chains and maps and rewrites them (the table itself stays, so
// affinity sets and their entries survive); a partial sync (plan.changed) touches only the changed
// services' chains, sets and map elements, so its size does not grow with the number of services.
// `next` describes the table after the transaction; the caller keeps it only when the apply succeeds.
import { serviceKeyString, type PlannedService, type ProxyPlan } from '../../types.js';
import { ELEMENT_MAPS, TABLE_REF, type ElementMap } from './names.js';
import { renderService, type ServiceElement, type ServiceRender } from './service.js';
import { skeletonDeclarations, skeletonFlushMaps, skeletonRules } from './skeleton.js';

/** What one service port owns in the table (rules are not kept: changed chains are rewritten whole). */
export interface ServiceState {
  chains: readonly string[];
  elements: readonly ServiceElement[];
  /** Affinity set name -> timeout in seconds. */
  affinitySets: ReadonlyMap<string, number>;
}

export interface NftState {
  /** By serviceKeyString. */
  services: ReadonlyMap<string, ServiceState>;
  /**
   * Chains emptied by the last transaction and deleted by the next one: before Linux 6.2 a chain
   * stays referenced for a moment after the map element that pointed at it is deleted (upstream
   * waits likewise).
   */
  stale: ReadonlySet<string>;
  clusterCIDR: string;
  nodeIPs: readonly string[];
}

export interface RenderOptions {
  /** Delete and recreate the table first (the last resort after a failed full sync on unknown state). */
  reset?: boolean;
}

export interface RenderResult {
  text: string;
  next: NftState;
  full: boolean;
}

const ELEMENT_CHUNK = 1000;

/**
 * previous undefined means "the table's content is unknown" (start, canary gone): the full sync then
 * deletes nothing it does not know; leftovers are found by listing the table (see leftovers.ts).
 */
export function renderNft(plan: ProxyPlan, previous: NftState | undefined, opts: RenderOptions = {}): RenderResult {
  const canPartial =
    plan.changed !== undefined &&
    previous !== undefined &&
    !opts.reset &&
    previous.clusterCIDR === plan.clusterCIDR &&
    sameList(previous.nodeIPs, plan.nodeIPs);
  if (canPartial && plan.changed !== undefined && previous !== undefined) return renderPartial(plan, plan.changed, previous);
  return renderFull(plan, opts.reset ? undefined : previous, opts.reset === true);
}

function renderFull(plan: ProxyPlan, previous: NftState | undefined, reset: boolean): RenderResult {
  const ctx = { clusterCIDR: plan.clusterCIDR, nodeIPs: plan.nodeIPs };
  const out: string[] = [];
  if (reset) out.push(`add table ${TABLE_REF}`, `delete table ${TABLE_REF}`);
  skeletonDeclarations(out);
  out.push(`flush table ${TABLE_REF}`);
  skeletonFlushMaps(out);

  const services = new Map<string, ServiceState>();
  const renders: ServiceRender[] = [];
  const active = new Set<string>();
  const activeSets = new Map<string, number>();
  for (const ps of plan.services) {
    const r = renderService(ps, ctx);
    renders.push(r);
    services.set(serviceKeyString(ps.svc.key), toState(r));
    for (const c of r.chains) active.add(c.name);
    for (const s of r.affinitySets) activeSets.set(s.name, s.timeoutSeconds);
  }

  for (const name of previous?.stale ?? []) if (!active.has(name)) out.push(`delete chain ${TABLE_REF} ${name}`);
  for (const name of active) out.push(`add chain ${TABLE_REF} ${name}`);
  // Chains of services that went away were emptied by `flush table`; delete them next time.
  const stale = new Set<string>();
  for (const st of previous?.services.values() ?? []) for (const c of st.chains) if (!active.has(c)) stale.add(c);

  // Affinity sets: delete those gone or with another timeout, (re)declare the active ones.
  const prevSets = new Map<string, number>();
  for (const st of previous?.services.values() ?? []) for (const [n, t] of st.affinitySets) prevSets.set(n, t);
  for (const [n, t] of prevSets) if (activeSets.get(n) !== t) out.push(`delete set ${TABLE_REF} ${n}`);
  for (const [n, t] of activeSets) out.push(affinitySetDecl(n, t));

  skeletonRules(out, plan.nodeIPs);
  const elements = new Map<ElementMap, Map<string, string>>(ELEMENT_MAPS.map((m) => [m, new Map()]));
  for (const r of renders) {
    for (const c of r.chains) for (const rule of c.rules) out.push(`add rule ${TABLE_REF} ${c.name} ${rule}`);
    for (const e of r.elements) {
      const m = elements.get(e.map);
      // Two services may claim one external IP and port: the first (in plan order) wins, as nft
      // would refuse the transaction for a key with two verdicts.
      if (m !== undefined && !m.has(e.key)) m.set(e.key, e.value);
    }
  }
  for (const [map, m] of elements) pushElements(out, 'add', map, [...m].map(([k, v]) => `${k} : ${v}`));

  const next: NftState = { services, stale, clusterCIDR: plan.clusterCIDR, nodeIPs: [...plan.nodeIPs] };
  return { text: finish(out), next, full: true };
}

function renderPartial(plan: ProxyPlan, changed: ReadonlySet<string>, previous: NftState): RenderResult {
  const ctx = { clusterCIDR: plan.clusterCIDR, nodeIPs: plan.nodeIPs };
  const byKey = new Map<string, PlannedService>();
  for (const ps of plan.services) if (changed.has(serviceKeyString(ps.svc.key))) byKey.set(serviceKeyString(ps.svc.key), ps);

  const services = new Map(previous.services);
  const delElements = new Map<ElementMap, string[]>();
  const addElements = new Map<ElementMap, string[]>();
  const chainDecls: string[] = [];
  const flushes: string[] = [];
  const setDeletes: string[] = [];
  const setAdds: string[] = [];
  const rules: string[] = [];
  const activated = new Set<string>();
  const stale = new Set<string>();

  for (const key of [...changed].sort()) {
    const old = previous.services.get(key);
    const ps = byKey.get(key);
    const r: ServiceRender = ps === undefined ? { chains: [], elements: [], affinitySets: [] } : renderService(ps, ctx);
    const now = toState(r);
    if (ps === undefined || (r.chains.length === 0 && r.elements.length === 0)) services.delete(key);
    else services.set(key, now);

    const newElements = new Map(r.elements.map((e) => [`${e.map} ${e.key}`, e.value]));
    for (const e of old?.elements ?? []) {
      if (newElements.get(`${e.map} ${e.key}`) !== e.value) push(delElements, e.map, e.key);
    }
    const oldElements = new Map((old?.elements ?? []).map((e) => [`${e.map} ${e.key}`, e.value]));
    for (const e of r.elements) {
      if (oldElements.get(`${e.map} ${e.key}`) !== e.value) push(addElements, e.map, `${e.key} : ${e.value}`);
    }

    const oldChains = new Set(old?.chains ?? []);
    for (const c of r.chains) {
      activated.add(c.name);
      chainDecls.push(`add chain ${TABLE_REF} ${c.name}`);
      if (oldChains.has(c.name) || previous.stale.has(c.name)) flushes.push(`flush chain ${TABLE_REF} ${c.name}`);
      for (const rule of c.rules) rules.push(`add rule ${TABLE_REF} ${c.name} ${rule}`);
    }
    for (const c of oldChains) {
      if (!activated.has(c)) {
        flushes.push(`flush chain ${TABLE_REF} ${c}`);
        stale.add(c);
      }
    }
    for (const [n, t] of old?.affinitySets ?? []) if (now.affinitySets.get(n) !== t) setDeletes.push(`delete set ${TABLE_REF} ${n}`);
    for (const [n, t] of now.affinitySets) if (old?.affinitySets.get(n) !== t) setAdds.push(affinitySetDecl(n, t));
  }

  const out: string[] = [];
  for (const name of previous.stale) if (!activated.has(name)) out.push(`delete chain ${TABLE_REF} ${name}`);
  for (const [map, keys] of delElements) pushElements(out, 'delete', map, keys);
  out.push(...chainDecls, ...flushes, ...setDeletes, ...setAdds, ...rules);
  for (const [map, items] of addElements) pushElements(out, 'add', map, items);
  for (const c of activated) stale.delete(c);

  const next: NftState = { services, stale, clusterCIDR: previous.clusterCIDR, nodeIPs: previous.nodeIPs };
  return { text: finish(out), next, full: false };
}

function toState(r: ServiceRender): ServiceState {
  return {
    chains: r.chains.map((c) => c.name),
    elements: r.elements,
    affinitySets: new Map(r.affinitySets.map((s) => [s.name, s.timeoutSeconds])),
  };
}

/** Dynamic (the kernel adds the flag anyway) with timeout: `update @set { ip saddr }` refreshes it. */
function affinitySetDecl(name: string, timeoutSeconds: number): string {
  return `add set ${TABLE_REF} ${name} { type ipv4_addr ; flags dynamic,timeout ; timeout ${timeoutSeconds}s ; }`;
}

function pushElements(out: string[], verb: 'add' | 'delete', map: ElementMap, items: readonly string[]): void {
  for (let i = 0; i < items.length; i += ELEMENT_CHUNK) {
    out.push(`${verb} element ${TABLE_REF} ${map} { ${items.slice(i, i + ELEMENT_CHUNK).join(', ')} }`);
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}

function finish(lines: string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
