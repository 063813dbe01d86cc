// One list+watch per collection for many informers, as client-go's SharedInformerFactory gives
// kube-controller-manager: the controllers in `nodelet apiserver` each keep a pod informer, and
// without sharing every pod change crossed TLS and JSON once per controller.
//
// run() has runReflector's contract (same handlers, runs until the signal aborts, never
// rejects). The first caller for a path and selectors starts the real reflector; a later one is
// first given the current state as a replace(). The last one to leave stops it. A subscriber whose
// handler throws is told through its error() and gets a fresh replace() from the shared cache (what
// a relist would give it) without a new list from the server.
//
// Objects are shared between subscribers: read-only, as objects from a client-go shared informer.
import type { KubeObject } from '../object.js';
import { objectKey } from './object-key.js';
import { runReflector, type ReflectorDeps, type ReflectorHandlers, type ReflectorOptions } from './reflector.js';
import type { WatchEvent } from './types.js';

export class SharedReflectors {
  private readonly shared = new Map<string, SharedReflector>();

  constructor(private readonly deps: ReflectorDeps) {}

  /** As runReflector(deps, opts), with one list+watch per path and selectors for every caller. */
  run(opts: ReflectorOptions): Promise<void> {
    const key = JSON.stringify([opts.path, opts.labelSelector ?? '', opts.fieldSelector ?? '']);
    let s = this.shared.get(key);
    if (s === undefined) {
      const created = new SharedReflector(this.deps, opts, () => {
        if (this.shared.get(key) === created) this.shared.delete(key);
      });
      this.shared.set(key, created);
      s = created;
    }
    return s.join(opts.handlers, opts.signal);
  }

  /** Collections with a running list+watch (for tests and debugging). */
  get size(): number {
    return this.shared.size;
  }
}

interface Subscriber {
  readonly handlers: ReflectorHandlers;
  /** Its view may be out of step with the cache: the next delivery is a whole replace(). */
  stale: boolean;
}

class SharedReflector {
  private readonly subscribers = new Set<Subscriber>();
  private readonly cache = new Map<string, KubeObject>();
  private resourceVersion = '';
  private synced = false;
  private readonly stop = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: ReflectorDeps,
    private readonly opts: Omit<ReflectorOptions, 'handlers' | 'signal'>,
    private readonly onIdle: () => void,
  ) {}

  join(handlers: ReflectorHandlers, signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.stop.signal.aborted) return Promise.resolve();
    const sub: Subscriber = { handlers, stale: this.synced };
    this.subscribers.add(sub);
    // A late joiner gets the state so far, after this call returns (as a relist would arrive).
    if (sub.stale) queueMicrotask(() => this.catchUp(sub));
    this.running ??= runReflector(this.deps, {
      path: this.opts.path,
      ...(this.opts.labelSelector === undefined ? {} : { labelSelector: this.opts.labelSelector }),
      ...(this.opts.fieldSelector === undefined ? {} : { fieldSelector: this.opts.fieldSelector }),
      signal: this.stop.signal,
      handlers: {
        replace: (items, rv) => this.replace(items, rv),
        event: (ev) => this.event(ev),
        error: (err) => {
          for (const s of this.subscribers) s.handlers.error?.(err);
        },
      },
    });
    return new Promise((resolve) => {
      signal.addEventListener('abort', () => {
        this.subscribers.delete(sub);
        if (this.subscribers.size > 0) return resolve();
        // The last one out stops the list+watch and returns once it has ended, as runReflector does.
        this.stop.abort();
        this.onIdle();
        void (this.running ?? Promise.resolve()).then(() => resolve());
      }, { once: true });
    });
  }

  private replace(items: KubeObject[], resourceVersion: string): void {
    this.cache.clear();
    for (const item of items) this.cache.set(objectKey(item), item);
    this.resourceVersion = resourceVersion;
    this.synced = true;
    for (const sub of this.subscribers) this.deliverReplace(sub);
  }

  private event(ev: WatchEvent): void {
    const key = objectKey(ev.object);
    if (ev.type === 'DELETED') this.cache.delete(key);
    else this.cache.set(key, ev.object);
    const rv = ev.object.metadata.resourceVersion;
    if (rv !== undefined && rv !== '') this.resourceVersion = rv;
    for (const sub of this.subscribers) {
      if (sub.stale) {
        this.deliverReplace(sub);
        continue;
      }
      try {
        sub.handlers.event(ev);
      } catch (err) {
        sub.handlers.error?.(err);
        this.deliverReplace(sub);
      }
    }
  }

  private catchUp(sub: Subscriber): void {
    if (sub.stale && this.subscribers.has(sub)) this.deliverReplace(sub);
  }

  /** Rebuilds one subscriber from the cache; if its handler throws, it stays stale for the next event. */
  private deliverReplace(sub: Subscriber): void {
    try {
      sub.handlers.replace([...this.cache.values()], this.resourceVersion);
      sub.stale = false;
    } catch (err) {
      sub.stale = true;
      sub.handlers.error?.(err);
    }
  }
}
