// The namespace controller (upstream pkg/controller/namespace, namespaced_resources_deleter.go):
// for a Terminating namespace it deletes everything in it (background propagation, pods with
// their grace period, so a pod on a node stays until its node confirms), waits until the content
// is gone (each removal requeues the namespace), then removes the "kubernetes" finalizer from
// spec.finalizers (what upstream does through namespaces/NAME/finalize), after which the
// namespace goes. Objects held by finalizers keep the namespace Terminating until released.
import type { Clock } from '../../base/clock.js';
import type { Disposable } from '../../base/lifecycle.js';
import type { Logger } from '../../base/log.js';
import { isJsonObject, type KubeObject } from '../../api/object.js';
import { deleteObject } from '../registry/delete.js';
import type { Registry } from '../registry/registry.js';
import { findResource, RESOURCES, type ResourceInfo } from '../resources.js';
import { ApiError } from '../status.js';
import { RegistryInformer } from './registry-informer.js';
import { WorkQueue } from './work-queue.js';

export const NAMESPACE_FINALIZER = 'kubernetes';
const LIST_PAGE = 500;

export class NamespaceFinalizer implements Disposable {
  /** Names of namespaces being deleted. */
  private readonly terminating = new Set<string>();
  private readonly informer: RegistryInformer;
  private readonly queue: WorkQueue;

  constructor(private readonly deps: { registry: Registry; clock: Clock; log: Logger }) {
    this.queue = new WorkQueue({ clock: deps.clock, log: deps.log, name: 'namespace finalizer' }, (ns) => this.deleteContentThenFinalize(ns));
    this.informer = new RegistryInformer({ store: deps.registry.objects.store, clock: deps.clock, log: deps.log, name: 'namespace finalizer' }, {
      replace: (objects) => {
        this.terminating.clear();
        for (const { key, object } of objects) if (key.resource.resource === 'namespaces') this.observe(key.name, object);
      },
      upsert: (key, object) => {
        if (key.resource.resource === 'namespaces') this.observe(key.name, object);
      },
      remove: (key) => {
        if (key.resource.resource === 'namespaces') this.terminating.delete(key.name);
        else if (this.terminating.has(key.namespace)) this.queue.add(key.namespace);
      },
    });
  }

  start(): void {
    this.queue.start();
    this.informer.start();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  async dispose(): Promise<void> {
    await this.informer.dispose();
    await this.queue.dispose();
  }

  private observe(name: string, ns: KubeObject): void {
    if (ns.metadata.deletionTimestamp === undefined) {
      this.terminating.delete(name);
      return;
    }
    this.terminating.add(name);
    this.queue.add(name);
  }

  private async deleteContentThenFinalize(name: string): Promise<void> {
    const namespaces = findResource('', 'v1', 'namespaces');
    if (namespaces === undefined) return;
    const ns = await this.deps.registry.objects.get(namespaces, '', name);
    if (ns === undefined || ns.metadata.deletionTimestamp === undefined) return;
    let remaining = 0;
    for (const r of RESOURCES) if (r.namespaced) remaining += await this.deleteAll(r, name);
    // What is still there (pods finishing, objects with finalizers) requeues us as it goes.
    if (remaining > 0) return;
    this.deps.log.info('namespace is empty, finishing its deletion', { namespace: name });
    try {
      await this.deps.registry.update(namespaces, '', name, {
        target: 'finalize',
        dryRun: false,
        compute: (current) => {
          const next = structuredClone(current);
          delete next.metadata.resourceVersion;
          const spec = isJsonObject(next.spec) ? next.spec : {};
          const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers.filter((f) => f !== NAMESPACE_FINALIZER) : [];
          next.spec = { ...spec, finalizers };
          return next;
        },
      });
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      throw err;
    }
  }

  /** Deletes every object of one resource in the namespace; returns how many are still there. */
  private async deleteAll(r: ResourceInfo, namespace: string): Promise<number> {
    let remaining = 0;
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.deps.registry.objects.list(r, namespace, { limit: LIST_PAGE, ...(startAfter === undefined ? {} : { startAfter }) });
      for (const { object } of page.entries) {
        const objName = object.metadata.name ?? '';
        if (object.metadata.deletionTimestamp !== undefined) {
          remaining++;
          continue;
        }
        try {
          const result = await deleteObject(this.deps.registry, r, namespace, objName, {
            dryRun: false,
            propagationPolicy: 'Background',
            ...(object.metadata.uid === undefined ? {} : { preconditions: { uid: object.metadata.uid } }),
          });
          if (!result.deleted) remaining++;
        } catch (err) {
          // Gone already, or replaced meanwhile (a later pass sees the new one).
          if (err instanceof ApiError && err.code === 404) continue;
          if (err instanceof ApiError && err.code === 409) {
            remaining++;
            continue;
          }
          throw err;
        }
      }
      const last = page.entries[page.entries.length - 1];
      if (!page.more || last === undefined) return remaining;
      startAfter = last.key;
    }
  }
}
