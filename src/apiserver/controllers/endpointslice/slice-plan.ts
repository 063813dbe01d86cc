// Which EndpointSlices to create, update and delete so a Service's slices hold its desired
// endpoints, with as little churn as upstream's reconciler (pkg/controller/endpointslice
// reconciler.go, reconcileByPortMapping):
//  1. an existing slice keeps the endpoints still desired (updated in place when one changed)
//     and is deleted when none is left;
//  2. endpoints still unplaced fill the slices being updated anyway, then the fullest unchanged
//     slice they fit in, then new slices of at most `maxEndpointsPerSlice`;
//  3. creates turn into updates of slices that would otherwise be deleted;
//  4. a Service with no endpoints at all keeps one empty placeholder slice.
// Pure.
import type { AddressType, Endpoint, EndpointPort, Pod, Service, Slice } from './model.js';
import { desiredGroups, endpointKey, endpointsEqual, portsKey } from './desired.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface PlannedSlice {
  /** Set for updates; creates get `<service>-` + a random suffix from the apiserver. */
  name?: string;
  resourceVersion?: string;
  addressType: AddressType;
  labels: Record<string, string>;
  endpoints: Endpoint[];
  ports: EndpointPort[];
}

export interface SlicePlan {
  create: PlannedSlice[];
  update: PlannedSlice[];
  delete: Slice[];
}

/** The service's labels plus the controller's own (upstream setEndpointSliceLabels). */
export function sliceLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = { ...service.labels };
  delete labels[LABEL_HEADLESS];
  if (service.clusterIP === 'None') labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = service.name;
  labels[LABEL_MANAGED_BY] = CONTROLLER_NAME;
  return labels;
}

export function ownedBy(slice: Slice, service: Service): boolean {
  return slice.ownerReferences.some((o) => o.uid === service.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

function labelsEqual(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** The plan for one service; `existing` are the slices labelled with its name and managed by us. */
export function planSlices(service: Service, pods: Pod[], existing: Slice[], maxEndpointsPerSlice = MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const labels = sliceLabels(service);
  for (const s of existing) {
    // Slices of an older Service of the same name, or of an address type no longer served.
    if (!ownedBy(s, service) || !service.addressTypes.some((t) => t === s.addressType)) plan.delete.push(s);
  }
  for (const type of service.addressTypes) {
    const mine = existing.filter((s) => s.addressType === type && ownedBy(s, service));
    planAddressType(plan, type, labels, desiredGroups(service, pods, type), mine, maxEndpointsPerSlice);
  }
  reuseDeleted(plan, service);
  return plan;
}

function planAddressType(
  plan: SlicePlan,
  type: AddressType,
  labels: Record<string, string>,
  groups: Map<string, { ports: EndpointPort[]; endpoints: Endpoint[] }>,
  existing: Slice[],
  max: number,
): void {
  const creates: PlannedSlice[] = [];
  const deletes: Slice[] = [];
  let updates = 0;
  const existingByPorts = new Map<string, Slice[]>();
  for (const s of existing) {
    const k = portsKey(s.ports);
    existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s]);
  }
  const keys = new Set([...groups.keys(), ...existingByPorts.keys()]);
  for (const pk of keys) {
    const group = groups.get(pk);
    const desired = new Map<string, Endpoint>((group?.endpoints ?? []).map((e) => [endpointKey(e), e]));
    const toUpdate: PlannedSlice[] = [];
    const unchanged: Slice[] = [];
    // 1. Keep what is still desired in the slices that hold it.
    for (const s of existingByPorts.get(pk) ?? []) {
      const kept: Endpoint[] = [];
      let changed = !labelsEqual(s.labels, labels);
      for (const e of s.endpoints) {
        const k = endpointKey(e);
        const want = desired.get(k);
        if (want === undefined) {
          changed = true;
          continue;
        }
        if (!endpointsEqual(want, e)) changed = true;
        kept.push(want);
        desired.delete(k);
      }
      if (kept.length === 0) deletes.push(s);
      else if (changed) toUpdate.push({ name: s.name, resourceVersion: s.resourceVersion, addressType: type, labels, endpoints: kept, ports: s.ports });
      else unchanged.push(s);
    }
    const rest = [...desired.values()];
    // 2. Fill slices that are written anyway, fullest first.
    toUpdate.sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const u of toUpdate) while (rest.length > 0 && u.endpoints.length < max) u.endpoints.push(rest.shift() as Endpoint);
    // 3. Then one unchanged slice that can take all that is left, else new slices.
    while (rest.length > 0) {
      let target: PlannedSlice | undefined;
      if (rest.length < max) {
        const fit = unchanged.filter((s) => s.endpoints.length + rest.length <= max).sort((a, b) => b.endpoints.length - a.endpoints.length)[0];
        if (fit !== undefined) {
          unchanged.splice(unchanged.indexOf(fit), 1);
          target = { name: fit.name, resourceVersion: fit.resourceVersion, addressType: type, labels, endpoints: [...fit.endpoints], ports: fit.ports };
          toUpdate.push(target);
        }
      }
      if (target === undefined) {
        target = { addressType: type, labels, endpoints: [], ports: group?.ports ?? [] };
        creates.push(target);
      }
      while (rest.length > 0 && target.endpoints.length < max) target.endpoints.push(rest.shift() as Endpoint);
    }
    plan.update.push(...toUpdate);
    updates += toUpdate.length;
  }
  // 4. A service with no slice left keeps (or gets) one empty placeholder.
  if (deletes.length === existing.length && updates === 0 && creates.length === 0) {
    const placeholder: PlannedSlice = { addressType: type, labels, endpoints: [], ports: [] };
    const kept = deletes.find((s) => s.endpoints.length === 0 && s.ports.length === 0 && labelsEqual(s.labels, labels));
    if (kept !== undefined) deletes.splice(deletes.indexOf(kept), 1);
    else creates.push(placeholder);
  }
  plan.create.push(...creates);
  plan.delete.push(...deletes);
}

/** Creates become updates of slices of the same address type that would be deleted. */
function reuseDeleted(plan: SlicePlan, service: Service): void {
  for (let i = 0; i < plan.delete.length && plan.create.length > 0; ) {
    const victim = plan.delete[i];
    const idx = plan.create.findIndex((c) => c.addressType === victim?.addressType);
    // Only slices this service owns are reused (not those of an older same-named service).
    if (victim === undefined || idx < 0 || !ownedBy(victim, service)) {
      i++;
      continue;
    }
    const [c] = plan.create.splice(idx, 1);
    if (c === undefined) break;
    plan.update.push({ ...c, name: victim.name, resourceVersion: victim.resourceVersion });
    plan.delete.splice(i, 1);
  }
}
