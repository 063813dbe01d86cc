// Finishes the deletion of Terminating namespaces that are empty: removes the "kubernetes"
// finalizer from spec.finalizers (what upstream's namespace controller does through
// namespaces/NAME/finalize once it has deleted the content), after which the namespace goes.
// It does not delete content: a namespace with objects stays Terminating until they are gone
// (deleted by the user, or by the namespace controller of a later issue, which takes over here).
import type { Clock } from '../../base/clock.js';
import type { Disposable } from '../../base/lifecycle.js';
import type { Logger } from '../../base/log.js';
import { isJsonObject, type KubeObject } from '../../api/object.js';
import type { Registry } from '../registry/registry.js';
import { findResource, RESOURCES } from '../resources.js';
import { ApiError } from '../status.js';
import { RegistryInformer } from './registry-informer.js';
import { WorkQueue } from './work-queue.js';

export const NAMESPACE_FINALIZER = 'kubernetes';

export class NamespaceFinalizer implements Disposable {
  /** Names of namespaces being deleted. */
  private readonly terminating = new Set<string>();
  private readonly informer: RegistryInformer;
  private readonly queue: WorkQueue;

  constructor(private readonly deps: { registry: Registry; clock: Clock; log: Logger }) {
    this.queue = new WorkQueue({ clock: deps.clock, log: deps.log, name: 'namespace finalizer' }, (ns) => this.finalizeIfEmpty(ns));
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

  private async finalizeIfEmpty(name: string): Promise<void> {
    const namespaces = findResource('', 'v1', 'namespaces');
    if (namespaces === undefined) return;
    const ns = await this.deps.registry.objects.get(namespaces, '', name);
    if (ns === undefined || ns.metadata.deletionTimestamp === undefined) return;
    for (const r of RESOURCES) {
      if (!r.namespaced) continue;
      const page = await this.deps.registry.objects.list(r, name, { limit: 1 });
      if (page.entries.length > 0) return;
    }
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
}
