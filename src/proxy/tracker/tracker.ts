// The proxy's view of the cluster, fed by the Service and EndpointSlice informers' handlers, and
// a change tracker in the manner of upstream's ServiceChangeTracker/EndpointsChangeTracker: the
// first change to a Service since the last take records its previous port states; later changes
// only move "current"; a change that returns to the previous state is dropped. Handlers only
// record and ask for a sync when something is pending (onChange); the proxier takes the changes
// when it syncs and reads the full state.
import { sameState, serviceState } from './merge.js';
import type { PortChange, ServicePortState, TrackedService, TrackedSlice, TrackerChanges } from './types.js';

export interface ProxyTrackerDeps {
  /** This node's name: endpoints on it are local (traffic policy Local). */
  nodeName: string;
  /** Called after a handler left changes pending (level-triggered: the proxier coalesces). */
  onChange?(): void;
  /** Trigger times older than this are not observed (upstream: the tracker's start time). */
  startTimeMs?: number;
}

interface Pending {
  previous: Map<string, ServicePortState>;
  triggerTimesMs: number[];
}

export class ProxyTracker {
  private readonly services = new Map<string, TrackedService>();
  /** "ns/serviceName" → slice name → slice. */
  private readonly slices = new Map<string, Map<string, TrackedSlice>>();
  /** "ns/name" → current port states of that service. */
  private readonly states = new Map<string, Map<string, ServicePortState>>();
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly deps: ProxyTrackerDeps) {}

  serviceUpserted(svc: TrackedService): void {
    const id = `${svc.namespace}/${svc.name}`;
    this.change(id, [], () => this.services.set(id, svc));
  }

  serviceDeleted(namespace: string, name: string): void {
    const id = `${namespace}/${name}`;
    this.change(id, [], () => this.services.delete(id));
  }

  sliceUpserted(slice: TrackedSlice, old?: TrackedSlice): void {
    // A slice that moved to another service (its label changed) leaves the old one first.
    if (old !== undefined && old.serviceName !== slice.serviceName) this.sliceDeleted(old);
    const id = `${slice.namespace}/${slice.serviceName}`;
    const start = this.deps.startTimeMs ?? 0;
    const isNewTrigger = slice.triggerTimeMs !== undefined && slice.triggerTimeMs >= start && slice.triggerTimeMs !== old?.triggerTimeMs;
    this.change(id, isNewTrigger && slice.triggerTimeMs !== undefined ? [slice.triggerTimeMs] : [], () => {
      let byName = this.slices.get(id);
      if (byName === undefined) {
        byName = new Map();
        this.slices.set(id, byName);
      }
      byName.set(slice.name, slice);
    });
  }

  sliceDeleted(slice: TrackedSlice): void {
    const id = `${slice.namespace}/${slice.serviceName}`;
    this.change(id, [], () => {
      const byName = this.slices.get(id);
      byName?.delete(slice.name);
      if (byName?.size === 0) this.slices.delete(id);
    });
  }

  hasPendingChanges(): boolean {
    return this.pending.size > 0;
  }

  /** Every service port's current state, keyed by serviceKeyString. */
  state(): Map<string, ServicePortState> {
    const out = new Map<string, ServicePortState>();
    for (const ports of this.states.values()) for (const [key, st] of ports) out.set(key, st);
    return out;
  }

  /** The changes since the last take, per service port key; clears them. */
  takeChanges(): TrackerChanges {
    const ports = new Map<string, PortChange>();
    const triggerTimesMs: number[] = [];
    for (const [id, p] of this.pending) {
      const current = this.states.get(id) ?? new Map<string, ServicePortState>();
      for (const key of new Set([...p.previous.keys(), ...current.keys()])) {
        const change: PortChange = { previous: p.previous.get(key), current: current.get(key) };
        if (!sameState(change.previous, change.current)) ports.set(key, change);
      }
      triggerTimesMs.push(...p.triggerTimesMs);
    }
    this.pending.clear();
    return { ports, triggerTimesMs };
  }

  private change(id: string, triggerTimesMs: number[], mutate: () => void): void {
    const before = this.states.get(id) ?? new Map<string, ServicePortState>();
    mutate();
    const after = serviceState(this.services.get(id), this.slices.get(id)?.values() ?? [], this.deps.nodeName);
    if (after.size === 0) this.states.delete(id);
    else this.states.set(id, after);
    let p = this.pending.get(id);
    if (p === undefined) {
      p = { previous: before, triggerTimesMs: [] };
      this.pending.set(id, p);
    }
    p.triggerTimesMs.push(...triggerTimesMs);
    if (samePorts(p.previous, after)) this.pending.delete(id); // back where it was: no-op
    if (this.pending.size > 0) this.deps.onChange?.();
  }
}

function samePorts(a: Map<string, ServicePortState>, b: Map<string, ServicePortState>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, st] of a) if (!sameState(st, b.get(key))) return false;
  return true;
}
