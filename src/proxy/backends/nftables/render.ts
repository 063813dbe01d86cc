// renderNft(plan, previous) -> { text, next }: the whole nft transaction for a sync, pure.
// A full sync flushes the table's chains and maps and rewrites them (the table itself stays, so
// affinity sets and their entries survive); a partial sync (plan.changed) touches only the changed
// services' chains (only those whose rules changed), sets and map elements, so its size does not
// grow with the number of services; an endpoint change is usually map elements only. Chains are
// written as `add chain NAME { rules }`: nft 1.0.6 reads every chain of the table before an
// `add rule`, not before an `add chain`. `next` describes the table after the transaction; the caller keeps it only when the apply succeeds.
import { plannedKey } from '../shared.js';
import { serviceKeyString, type PlannedService, type ProxyPlan } from '../../types.js';
import { dnatAllocator, shardCount, type DnatSlots } from './dnat-slots.js';
import { CLUSTER_IPS_SET, CLUSTER_NODEPORTS_SET, ELEMENT_MAPS, HAIRPIN_SET, TABLE_REF, dispatchMapName, isDnatMap, parseDispatchMap, type DispatchMap, type ElementMap } from './names.js';
import { renderService, type ServiceElement, type ServiceRender } from './service.js';
import { dispatchRules, dnatMaps, skeletonDeclarations, skeletonFlushMaps, skeletonRules } from './skeleton.js';

/** What one service port owns in the table. */
export interface ServiceState {
  chains: readonly string[];
  /** Each chain's rules, joined: a partial sync rewrites only chains whose rules changed. */
  bodies: readonly string[];
  elements: readonly ServiceElement[];
  /** Affinity set name -> timeout in seconds. */
  affinitySets: ReadonlyMap<string, number>;
  /**
   * Its dispatch-map elements were replaced add-only: `elements` holds the overlay keys (n..2n-1,
   * in use) and the hidden old keys 0..n-1, which the next change of the service or full sync removes.
   */
  overlay?: boolean;
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
  /**
   * Endpoint IPs in the hairpin set as the last full sync wrote it, and those partial syncs added
   * since (small, so copied on change). IPs that go away stay until the next full sync: a DNATed
   * packet from an address to itself is hairpin traffic whoever owns the address.
   */
  hairpin: ReadonlySet<string>;
  hairpinAdded: ReadonlySet<string>;
  /** Slots of the endpoint-dnat maps. */
  dnat: DnatSlots;
  /** Dispatch maps (cluster-dnat, nodeport-dnat) whose map and rules are in the table. */
  dispatch: ReadonlySet<DispatchMap>;
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

const isVerdictMap = (m: ElementMap): boolean => m !== CLUSTER_IPS_SET && m !== CLUSTER_NODEPORTS_SET && !isDnatMap(m);

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
  const dnat = dnatAllocator(undefined);
  const ctx = { clusterCIDR: plan.clusterCIDR, nodeIPs: plan.nodeIPs, dnatSlot: dnat.slot };
  const out: string[] = [];
  if (reset) out.push(`add table ${TABLE_REF}`, `delete table ${TABLE_REF}`);
  skeletonDeclarations(out);
  out.push(`flush table ${TABLE_REF}`);
  skeletonFlushMaps(out);

  const services = new Map<string, ServiceState>();
  const renders: ServiceRender[] = [];
  const active = new Set<string>();
  const activeSets = new Map<string, number>();
  const hairpin = new Set<string>();
  for (const ps of plan.services) {
    const r = renderService(ps, ctx);
    renders.push(r);
    services.set(serviceKeyString(ps.svc.key), toState(r));
    for (const c of r.chains) active.add(c.name);
    for (const s of r.affinitySets) activeSets.set(s.name, s.timeoutSeconds);
    for (const ip of r.endpointIPs) hairpin.add(ip);
  }

  for (const name of previous?.stale ?? []) if (!active.has(name)) out.push(`delete chain ${TABLE_REF} ${name}`);
  // Chains of services that went away were emptied by `flush table`; delete them next time.
  const stale = new Set<string>();
  for (const st of previous?.services.values() ?? []) for (const c of st.chains) if (!active.has(c)) stale.add(c);

  // Affinity sets: delete those gone or with another timeout, (re)declare the active ones.
  const prevSets = new Map<string, number>();
  for (const st of previous?.services.values() ?? []) for (const [n, t] of st.affinitySets) prevSets.set(n, t);
  for (const [n, t] of prevSets) if (activeSets.get(n) !== t) out.push(`delete set ${TABLE_REF} ${n}`);
  for (const [n, t] of activeSets) out.push(affinitySetDecl(n, t));

  skeletonRules(out, plan.nodeIPs, plan.clusterCIDR);
  dnatMaps(out, 0, shardCount(dnat.result()));
  const counts = dispatchMaps(renders.flatMap((r) => r.elements));
  for (const m of counts) dispatchRules(out, m, plan.nodeIPs);
  const elements = new Map<ElementMap, Map<string, string>>(ELEMENT_MAPS.map((m) => [m, new Map()]));
  for (const r of renders) {
    for (const e of r.elements) {
      let m = elements.get(e.map);
      if (m === undefined) elements.set(e.map, (m = new Map()));
      // Two services may claim one external IP and port: the first (in plan order) wins, as nft
      // would refuse the transaction for a key with two verdicts.
      if (!m.has(e.key)) m.set(e.key, e.value);
    }
  }
  // Elements before the rules that use the map: the kernel checks each new element against every
  // rule bound to the map (10,000 services: 12 s the other way round).
  for (const [map, m] of elements) if (!isVerdictMap(map)) pushElements(out, 'add', map, [...m].map(([k, v]) => elementText(k, v)));
  pushElements(out, 'add', HAIRPIN_SET, [...hairpin].map((ip) => `${ip} . ${ip}`));
  for (const r of renders) for (const c of r.chains) out.push(chainBlock(c.name, c.rules));
  // Verdict maps after the chains they name.
  for (const [map, m] of elements) if (isVerdictMap(map)) pushElements(out, 'add', map, [...m].map(([k, v]) => elementText(k, v)));

  const next: NftState = {
    services,
    stale,
    clusterCIDR: plan.clusterCIDR,
    nodeIPs: [...plan.nodeIPs],
    hairpin,
    hairpinAdded: new Set(),
    dnat: dnat.result(),
    dispatch: counts,
  };
  return { text: finish(out), next, full: true };
}

function renderPartial(plan: ProxyPlan, changed: ReadonlySet<string>, previous: NftState): RenderResult {
  const dnat = dnatAllocator(previous.dnat);
  const ctx = { clusterCIDR: plan.clusterCIDR, nodeIPs: plan.nodeIPs, dnatSlot: dnat.slot };
  const byKey = new Map<string, PlannedService>();
  for (const ps of plan.services) {
    const key = plannedKey(ps);
    if (changed.has(key)) byKey.set(key, ps);
  }

  const services = new Map(previous.services);
  const delElements = new Map<ElementMap, string[]>();
  const addElements = new Map<ElementMap, string[]>();
  const blocks: string[] = [];
  const flushes: string[] = [];
  const hairpinNew: string[] = [];
  const setDeletes: string[] = [];
  const setAdds: string[] = [];
  const activated = new Set<string>();
  const stale = new Set<string>();

  for (const key of [...changed].sort()) {
    const old = previous.services.get(key);
    const ps = byKey.get(key);
    const r: ServiceRender = ps === undefined ? { chains: [], elements: [], affinitySets: [], endpointIPs: [] } : renderService(ps, ctx);
    for (const ip of r.endpointIPs) {
      if (!previous.hairpin.has(ip) && !previous.hairpinAdded.has(ip) && !hairpinNew.includes(ip)) hairpinNew.push(ip);
    }
    const now = toState(r);
    const overlay = old === undefined || ps === undefined ? undefined : overlayElements(old, r);
    if (overlay !== undefined && old !== undefined) {
      // Endpoints replaced in the same dispatch maps: added as overlay keys, which the first
      // dispatch rule finds before the old ones. No delete: a transaction that deletes makes nft
      // wait for an RCU grace period before it exits.
      for (const e of overlay) push(addElements, e.map, elementText(e.key, e.value));
      services.set(key, { ...now, elements: [...old.elements, ...overlay], overlay: true });
      continue;
    }
    if (ps === undefined || (r.chains.length === 0 && r.elements.length === 0)) services.delete(key);
    else services.set(key, now);

    const newElements = new Map(r.elements.map((e) => [`${e.map} ${e.key}`, e.value]));
    for (const e of old?.elements ?? []) {
      if (newElements.get(`${e.map} ${e.key}`) !== e.value) push(delElements, e.map, e.key);
    }
    const oldElements = new Map((old?.elements ?? []).map((e) => [`${e.map} ${e.key}`, e.value]));
    for (const e of r.elements) {
      if (oldElements.get(`${e.map} ${e.key}`) !== e.value) push(addElements, e.map, elementText(e.key, e.value));
    }

    const oldBodies = new Map((old?.chains ?? []).map((c, i) => [c, old?.bodies[i]]));
    // A recreated affinity set cannot be deleted while rules use it: such a service is rewritten whole.
    const setsRecreated = [...(old?.affinitySets ?? [])].some(([n, t]) => now.affinitySets.has(n) && now.affinitySets.get(n) !== t);
    r.chains.forEach((c, i) => {
      activated.add(c.name);
      const stillStale = previous.stale.has(c.name);
      if (!stillStale && !setsRecreated && oldBodies.get(c.name) === now.bodies[i]) return;
      if (oldBodies.has(c.name) || stillStale) flushes.push(`flush chain ${TABLE_REF} ${c.name}`);
      blocks.push(chainBlock(c.name, c.rules));
    });
    for (const c of oldBodies.keys()) {
      if (!activated.has(c)) {
        flushes.push(`flush chain ${TABLE_REF} ${c}`);
        stale.add(c);
        dnat.release(c);
      }
    }
    for (const [n, t] of old?.affinitySets ?? []) if (now.affinitySets.get(n) !== t) setDeletes.push(`delete set ${TABLE_REF} ${n}`);
    for (const [n, t] of now.affinitySets) if (old?.affinitySets.get(n) !== t) setAdds.push(affinitySetDecl(n, t));
  }

  const out: string[] = [];
  for (const name of previous.stale) if (!activated.has(name)) out.push(`delete chain ${TABLE_REF} ${name}`);
  for (const [map, keys] of delElements) pushElements(out, 'delete', map, keys);
  out.push(...flushes, ...setDeletes, ...setAdds);
  dnatMaps(out, shardCount(previous.dnat), shardCount(dnat.result()));
  const newCounts = [...dispatchMaps([...addElements.keys()].map((map) => ({ map })))].filter((m) => !previous.dispatch.has(m));
  for (const m of newCounts) dispatchRules(out, m, previous.nodeIPs);
  for (const [map, items] of addElements) if (!isVerdictMap(map)) pushElements(out, 'add', map, items);
  out.push(...blocks);
  for (const [map, items] of addElements) if (isVerdictMap(map)) pushElements(out, 'add', map, items);
  for (const c of activated) stale.delete(c);

  pushElements(out, 'add', HAIRPIN_SET, hairpinNew.map((ip) => `${ip} . ${ip}`));
  const hairpinAdded = hairpinNew.length === 0 ? previous.hairpinAdded : new Set([...previous.hairpinAdded, ...hairpinNew]);

  const next: NftState = {
    services,
    stale,
    clusterCIDR: previous.clusterCIDR,
    nodeIPs: previous.nodeIPs,
    hairpin: previous.hairpin,
    hairpinAdded,
    dnat: dnat.result(),
    dispatch: newCounts.length === 0 ? previous.dispatch : new Set([...previous.dispatch, ...newCounts]),
  };
  return { text: finish(out), next, full: false };
}

/**
 * The overlay elements for `r` when it differs from `old` only in the values of its dispatch-map
 * elements (same map, same keys: the endpoint count is unchanged) and `old` has no overlay yet;
 * else undefined. All n overlay keys are written, so none of the old keys is reachable any more.
 */
function overlayElements(old: ServiceState, r: ServiceRender): ServiceElement[] | undefined {
  if (old.overlay === true || old.chains.length > 0 || r.chains.length > 0 || old.elements.length !== r.elements.length) return undefined;
  const out: ServiceElement[] = [];
  let changed = false;
  for (let i = 0; i < r.elements.length; i++) {
    const o = old.elements[i];
    const e = r.elements[i];
    if (o === undefined || e === undefined || o.map !== e.map || o.key !== e.key) return undefined;
    const parsed = parseDispatchMap(e.map);
    if (parsed === undefined) {
      if (o.value !== e.value) return undefined;
      continue;
    }
    if (o.value !== e.value) changed = true;
    // "VIP . port . i" -> "VIP . port . n+i" ("nodePort . i" likewise).
    const cut = e.key.lastIndexOf(' . ');
    const index = Number(e.key.slice(cut + 3));
    if (cut < 0 || !Number.isInteger(index) || index >= parsed.n) return undefined;
    out.push({ map: e.map, key: `${e.key.slice(0, cut)} . ${parsed.n + index}`, value: e.value });
  }
  return changed ? out : undefined;
}

function toState(r: ServiceRender): ServiceState {
  return {
    chains: r.chains.map((c) => c.name),
    bodies: r.chains.map((c) => c.rules.join(' ; ')),
    elements: r.elements,
    affinitySets: new Map(r.affinitySets.map((s) => [s.name, s.timeoutSeconds])),
  };
}

/** Dynamic (the kernel adds the flag anyway) with timeout: `update @set { ip saddr }` refreshes it. */
function affinitySetDecl(name: string, timeoutSeconds: number): string {
  return `add set ${TABLE_REF} ${name} { type ipv4_addr ; flags dynamic,timeout ; timeout ${timeoutSeconds}s ; }`;
}

/** The dispatch maps these elements go to, by kind, protocol, then endpoint count. */
function dispatchMaps(elements: Iterable<{ map: ElementMap }>): Set<DispatchMap> {
  const maps = new Map<DispatchMap, string>();
  for (const e of elements) {
    const p = parseDispatchMap(e.map);
    if (p !== undefined) maps.set(dispatchMapName(p), `${p.kind} ${p.proto} ${String(p.n).padStart(10, '0')}`);
  }
  return new Set([...maps].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)).map(([m]) => m));
}


function elementText(key: string, value: string): string {
  return value === '' ? key : `${key} : ${value}`;
}

/**
 * A chain with its rules in one statement: nft 1.0.6 reads every chain of the table before an
 * `add rule` (O(chains) per transaction) but not before an `add chain`.
 */
function chainBlock(name: string, rules: readonly string[]): string {
  return rules.length === 0 ? `add chain ${TABLE_REF} ${name}` : `add chain ${TABLE_REF} ${name} { ${rules.join(' ; ')} ; }`;
}

function pushElements(out: string[], verb: 'add' | 'delete', map: ElementMap | typeof HAIRPIN_SET, items: readonly string[]): void {
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
