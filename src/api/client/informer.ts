// A shared-informer-like cache over runReflector: keeps the latest object per namespace/name of one
// resource, tells handlers what changed (after a relist, as synthetic adds/updates/deletes), and
// says when it has synced. Controllers and the proxy read from the cache and act in their own
// level-triggered loops; handlers only record keys.
import type { Clock } from '../../base/clock.js';
import type { Disposable } from '../../base/lifecycle.js';
import type { KubeObject } from '../object.js';
import { objectKey } from './object-key.js';
import { runReflector, type ReflectorOptions } from './reflector.js';
import type { SharedReflectors } from './shared-reflectors.js';
import type { KubeClient, WatchEvent } from './types.js';

export { objectKey };

export interface InformerDeps {
  client: KubeClient;
  clock: Clock;
  /** One list+watch per collection for all the informers given the same SharedReflectors. */
  reflectors?: SharedReflectors;
}

export interface InformerHandlers<T> {
  /** Added, or changed (old is the previous cached value). */
  upsert?(key: string, obj: T, old: T | undefined): void;
  deleted?(key: string, last: T): void;
}

export interface InformerOptions<T> {
  /** Collection path, e.g. /api/v1/pods or /apis/discovery.k8s.io/v1/endpointslices. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Validates an object from the wire; undefined drops it (report through onInvalid). */
  parse(obj: KubeObject): T | undefined;
  onInvalid?(obj: KubeObject, err: unknown): void;
  onError?(err: unknown): void;
}

export class Informer<T> implements Disposable {
  private readonly cache = new Map<string, T>();
  private readonly handlers: Array<InformerHandlers<T>> = [];
  private readonly stop = new AbortController();
  private running: Promise<void> | undefined;
  private synced = false;
  private readonly syncWaiters: Array<() => void> = [];

  constructor(
    private readonly deps: InformerDeps,
    private readonly opts: InformerOptions<T>,
  ) {}

  addHandlers(h: InformerHandlers<T>): void {
    this.handlers.push(h);
  }

  start(): void {
    const reflectors = this.deps.reflectors;
    const run = reflectors === undefined ? (o: ReflectorOptions) => runReflector(this.deps, o) : (o: ReflectorOptions) => reflectors.run(o);
    this.running ??= run({
      path: this.opts.path,
      ...(this.opts.labelSelector === undefined ? {} : { labelSelector: this.opts.labelSelector }),
      ...(this.opts.fieldSelector === undefined ? {} : { fieldSelector: this.opts.fieldSelector }),
      signal: this.stop.signal,
      handlers: {
        replace: (items) => this.replace(items),
        event: (ev) => this.event(ev),
        error: (err) => this.opts.onError?.(err),
      },
    });
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list has been delivered (or the informer is disposed). */
  waitForSync(): Promise<void> {
    if (this.synced || this.stop.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  keys(): string[] {
    return [...this.cache.keys()];
  }

  async dispose(): Promise<void> {
    this.stop.abort();
    for (const w of this.syncWaiters.splice(0)) w();
    await this.running;
  }

  private parse(obj: KubeObject): T | undefined {
    try {
      return this.opts.parse(obj);
    } catch (err) {
      this.opts.onInvalid?.(obj, err);
      return undefined;
    }
  }

  private replace(items: KubeObject[]): void {
    const fresh = new Map<string, T>();
    for (const item of items) {
      const value = this.parse(item);
      if (value !== undefined) fresh.set(objectKey(item), value);
    }
    for (const [key, old] of this.cache) {
      if (!fresh.has(key)) {
        this.cache.delete(key);
        for (const h of this.handlers) h.deleted?.(key, old);
      }
    }
    for (const [key, value] of fresh) {
      const old = this.cache.get(key);
      this.cache.set(key, value);
      for (const h of this.handlers) h.upsert?.(key, value, old);
    }
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private event(ev: WatchEvent): void {
    const key = objectKey(ev.object);
    if (ev.type === 'DELETED') {
      const old = this.cache.get(key);
      this.cache.delete(key);
      if (old !== undefined) for (const h of this.handlers) h.deleted?.(key, old);
      return;
    }
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') return;
    const value = this.parse(ev.object);
    const old = this.cache.get(key);
    if (value === undefined) {
      // An object that no longer validates is gone for the cache's users.
      if (old !== undefined) {
        this.cache.delete(key);
        for (const h of this.handlers) h.deleted?.(key, old);
      }
      return;
    }
    this.cache.set(key, value);
    for (const h of this.handlers) h.upsert?.(key, value, old);
  }
}
