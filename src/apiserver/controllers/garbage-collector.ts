// The garbage collector, as upstream's (pkg/controller/garbagecollector) in small:
//  - a dependent whose owners are all gone is deleted (background propagation);
//  - one with some owners gone and some not loses the dangling ownerReferences;
//  - an owner deleted with propagationPolicy=Orphan (finalizer "orphan") has its dependents'
//    references to it removed, then the finalizer;
//  - an owner deleted with Foreground (finalizer "foregroundDeletion") has its dependents
//    deleted and keeps the finalizer until those with blockOwnerDeletion are gone.
// An in-memory owner graph from the registry informer says what to look at; every decision is
// made on fresh reads (an owner counts as gone only when a GET by name shows no object with its
// uid), so a stale graph can delay work but never delete the wrong thing. Runs in-process; the
// later controller-manager can take it over through the same Registry seam.
import type { Clock } from '../../base/clock.js';
import type { Disposable } from '../../base/lifecycle.js';
import type { Logger } from '../../base/log.js';
import type { KubeObject, OwnerReference } from '../../api/object.js';
import type { ParsedKey } from '../keys.js';
import { deleteObject, FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from '../registry/delete.js';
import type { Registry } from '../registry/registry.js';
import { findResourceByKind, type ResourceInfo } from '../resources.js';
import { ApiError } from '../status.js';
import { RegistryInformer } from './registry-informer.js';
import { WorkQueue } from './work-queue.js';

interface Node {
  key: ParsedKey;
  uid: string;
  owners: OwnerReference[];
}

function idOf(k: ParsedKey): string {
  return `${k.resource.resource}/${k.namespace}/${k.name}`;
}

export class GarbageCollector implements Disposable {
  private readonly nodes = new Map<string, Node>();
  /** Owner uid -> ids of objects that reference it. */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly uids = new Map<string, string>();
  private readonly informer: RegistryInformer;
  private readonly queue: WorkQueue;

  constructor(private readonly deps: { registry: Registry; clock: Clock; log: Logger }) {
    this.queue = new WorkQueue({ clock: deps.clock, log: deps.log, name: 'garbage collector' }, (id) => this.process(id));
    this.informer = new RegistryInformer({ store: deps.registry.objects.store, clock: deps.clock, log: deps.log, name: 'garbage collector' }, {
      replace: (objects) => {
        this.nodes.clear();
        this.dependents.clear();
        this.uids.clear();
        for (const { key, object } of objects) this.record(key, object);
        for (const { key, object } of objects) this.check(key, object);
      },
      upsert: (key, object) => {
        this.record(key, object);
        this.check(key, object);
      },
      remove: (key, last) => this.forget(key, last),
    });
  }

  start(): void {
    this.queue.start();
    this.informer.start();
  }

  /** Resolves when the collector has nothing queued (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  async dispose(): Promise<void> {
    await this.informer.dispose();
    await this.queue.dispose();
  }

  private record(key: ParsedKey, obj: KubeObject): void {
    const id = idOf(key);
    const old = this.nodes.get(id);
    if (old !== undefined) for (const o of old.owners) this.dependents.get(o.uid)?.delete(id);
    const uid = obj.metadata.uid ?? '';
    const owners = obj.metadata.ownerReferences ?? [];
    this.nodes.set(id, { key, uid, owners });
    if (uid !== '') this.uids.set(uid, id);
    for (const o of owners) {
      let set = this.dependents.get(o.uid);
      if (set === undefined) this.dependents.set(o.uid, (set = new Set()));
      set.add(id);
    }
  }

  /** Queues what this object's state may require: its own dangling owners, its GC finalizers. */
  private check(key: ParsedKey, obj: KubeObject): void {
    const id = idOf(key);
    if ((obj.metadata.ownerReferences ?? []).some((o) => !this.uids.has(o.uid))) this.queue.add(`dependent:${id}`);
    const f = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp !== undefined && (f.includes(FINALIZER_ORPHAN) || f.includes(FINALIZER_FOREGROUND))) {
      this.queue.add(`owner:${id}`);
    }
  }

  private forget(key: ParsedKey, last: KubeObject): void {
    const id = idOf(key);
    const node = this.nodes.get(id);
    this.nodes.delete(id);
    if (node !== undefined) {
      if (this.uids.get(node.uid) === id) this.uids.delete(node.uid);
      for (const o of node.owners) {
        this.dependents.get(o.uid)?.delete(id);
        // An owner waiting in foreground deletion may now be free to go.
        const ownerId = this.uids.get(o.uid);
        if (ownerId !== undefined) this.queue.add(`owner:${ownerId}`);
      }
    }
    for (const dep of this.dependents.get(last.metadata.uid ?? '') ?? []) this.queue.add(`dependent:${dep}`);
  }

  private async process(item: string): Promise<void> {
    const sep = item.indexOf(':');
    const id = item.slice(sep + 1);
    const node = this.nodes.get(id);
    if (node === undefined) return;
    if (item.startsWith('owner:')) await this.processOwner(node);
    else await this.processDependent(node);
  }

  /** Fresh state of an object; undefined when gone. */
  private async read(key: ParsedKey): Promise<KubeObject | undefined> {
    return this.deps.registry.objects.get(key.resource, key.namespace, key.name);
  }

  private async processDependent(node: Node): Promise<void> {
    const obj = await this.read(node.key);
    if (obj === undefined || obj.metadata.deletionTimestamp !== undefined) return;
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    let waiting = false;
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const state = await this.ownerState(ref, node.key.namespace);
      if (state === 'absent') dangling.push(ref);
      else solid.push(ref);
      if (state === 'foreground') waiting = true;
    }
    if (dangling.length === 0) return;
    const { resource, namespace, name } = node.key;
    if (solid.length === 0) {
      this.deps.log.info('garbage collector deleting an orphaned dependent', { resource: resource.resource, namespace, name });
      await this.delete(resource, namespace, name, obj.metadata.uid, 'Background');
      return;
    }
    if (!waiting) await this.dropOwnerRefs(node.key, new Set(dangling.map((d) => d.uid)));
  }

  private async processOwner(node: Node): Promise<void> {
    const owner = await this.read(node.key);
    if (owner === undefined || owner.metadata.deletionTimestamp === undefined) return;
    const uid = owner.metadata.uid ?? '';
    const finalizers = owner.metadata.finalizers ?? [];
    const dependents = [...(this.dependents.get(uid) ?? [])].map((id) => this.nodes.get(id)).filter((n): n is Node => n !== undefined);
    if (finalizers.includes(FINALIZER_ORPHAN)) {
      for (const d of dependents) await this.dropOwnerRefs(d.key, new Set([uid]));
      await this.removeFinalizer(node.key, FINALIZER_ORPHAN);
      return;
    }
    if (!finalizers.includes(FINALIZER_FOREGROUND)) return;
    let blocking = 0;
    for (const d of dependents) {
      const dep = await this.read(d.key);
      if (dep === undefined) continue;
      const ref = (dep.metadata.ownerReferences ?? []).find((o) => o.uid === uid);
      if (ref === undefined) continue;
      if (ref.blockOwnerDeletion === true) blocking++;
      if (dep.metadata.deletionTimestamp === undefined) {
        await this.delete(d.key.resource, d.key.namespace, d.key.name, dep.metadata.uid, 'Foreground');
      }
    }
    // Dependents going away requeue this owner (forget()); until then it waits.
    if (blocking === 0) await this.removeFinalizer(node.key, FINALIZER_FOREGROUND);
  }

  /** 'absent' when no object with the reference's uid exists under its name. */
  private async ownerState(ref: OwnerReference, namespace: string): Promise<'present' | 'foreground' | 'absent'> {
    const r = findResourceByKind(ref.apiVersion, ref.kind);
    // An owner of a kind this server does not serve cannot be checked: assume it exists.
    if (r === undefined) return 'present';
    const owner = await this.deps.registry.objects.get(r, r.namespaced ? namespace : '', ref.name);
    if (owner === undefined || owner.metadata.uid !== ref.uid) return 'absent';
    const deleting = owner.metadata.deletionTimestamp !== undefined && (owner.metadata.finalizers ?? []).includes(FINALIZER_FOREGROUND);
    return deleting ? 'foreground' : 'present';
  }

  private async delete(r: ResourceInfo, namespace: string, name: string, uid: string | undefined, policy: 'Background' | 'Foreground'): Promise<void> {
    try {
      await deleteObject(this.deps.registry, r, namespace, name, {
        dryRun: false,
        propagationPolicy: policy,
        ...(uid !== undefined ? { preconditions: { uid } } : {}),
      });
    } catch (err) {
      // Gone already, or replaced by a new object of the same name: nothing to collect.
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }

  private async dropOwnerRefs(key: ParsedKey, uids: Set<string>): Promise<void> {
    await this.updateMeta(key, (obj) => {
      const refs = (obj.metadata.ownerReferences ?? []).filter((o) => !uids.has(o.uid));
      if (refs.length === (obj.metadata.ownerReferences ?? []).length) return false;
      if (refs.length > 0) obj.metadata.ownerReferences = refs;
      else delete obj.metadata.ownerReferences;
      return true;
    });
  }

  private async removeFinalizer(key: ParsedKey, finalizer: string): Promise<void> {
    await this.updateMeta(key, (obj) => {
      const f = obj.metadata.finalizers ?? [];
      if (!f.includes(finalizer)) return false;
      const rest = f.filter((x) => x !== finalizer);
      if (rest.length > 0) obj.metadata.finalizers = rest;
      else delete obj.metadata.finalizers;
      return true;
    });
  }

  /** A metadata-only update through the registry (so removal on the last finalizer happens). */
  private async updateMeta(key: ParsedKey, change: (obj: KubeObject) => boolean): Promise<void> {
    try {
      await this.deps.registry.update(key.resource, key.namespace, key.name, {
        target: '',
        dryRun: false,
        compute: (current) => {
          const next = structuredClone(current);
          delete next.metadata.resourceVersion;
          return change(next) ? next : current;
        },
      });
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      throw err;
    }
  }
}
