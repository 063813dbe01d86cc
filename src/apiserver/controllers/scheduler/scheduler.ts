// The scheduler: binds pending pods whose schedulerName is ours to nodes, as a client of the API.
// One pod informer feeds both the queue (unbound pods) and the accounting (bound pods), one node
// informer the nodes. Decisions are made one at a time against the cache (O(nodes) each), the
// chosen node is assumed in the cache at once, and bindings run with several requests in flight,
// so decisions never wait for the apiserver. A pod that fits nowhere gets PodScheduled=False and a
// FailedScheduling event, and is parked until nodes or bound pods change (or the 60 s flush).
import { Informer } from '../../../api/client/informer.js';
import { ErrorCode, errorMessage, isNodeletError } from '../../../base/errors.js';
import type { Disposable } from '../../../base/lifecycle.js';
import { decide } from './algorithm.js';
import { SchedulerCache } from './cache.js';
import { SchedulerEvents, rfc3339 } from './events.js';
import { DEFAULT_SCHEDULER_NAME, parseNode, parsePod } from './parse.js';
import { SchedulingQueue } from './queue.js';
import type { SchedNode, SchedPod } from './types.js';
import type { ControllerDeps } from '../deps.js';

export interface SchedulerOptions {
  /** Pods with this spec.schedulerName (unset counts as default-scheduler) are ours. */
  schedulerName?: string;
  /** Bindings and status writes in flight (default 16). */
  concurrency?: number;
  /** Parked pods are all retried this often (default 60 s, upstream's unschedulable flush). */
  flushIntervalMs?: number;
  /** Tie-breaking among equally scored nodes; Math.random by default. */
  random?: () => number;
}

export interface SchedulerStats {
  scheduled: number;
  unschedulable: number;
  bindFailures: number;
}

function podPath(ns: string, name: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`;
}

/** The node fields a decision reads, to tell a heartbeat from a change that may help parked pods. */
function nodeFingerprint(n: SchedNode): string {
  return JSON.stringify([n.labels, n.unschedulable, n.ready, n.taints, n.allocatable]);
}

export class SchedulerController implements Disposable {
  readonly stats: SchedulerStats = { scheduled: 0, unschedulable: 0, bindFailures: 0 };
  private readonly cache = new SchedulerCache();
  private readonly queue = new SchedulingQueue();
  private readonly pods: Informer<SchedPod>;
  private readonly nodes: Informer<SchedNode>;
  private readonly events: SchedulerEvents;
  private readonly stop = new AbortController();
  private readonly inflight = new Set<Promise<void>>();
  private readonly schedulerName: string;
  private wake: (() => void) | undefined;
  private moveRequested = false;
  private nextParkedCheck: number | undefined;
  private running: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly deps: ControllerDeps,
    private readonly opts: SchedulerOptions = {},
  ) {
    this.schedulerName = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    const onError = (what: string) => (err: unknown) => deps.log.warn(`scheduler: ${what} watch failed`, { error: errorMessage(err) });
    this.pods = new Informer(deps, { path: '/api/v1/pods', parse: parsePod, onError: onError('pod') });
    this.nodes = new Informer(deps, { path: '/api/v1/nodes', parse: parseNode, onError: onError('node') });
    this.events = new SchedulerEvents(deps);
    this.pods.addHandlers({ upsert: (_k, pod, old) => this.podChanged(pod, old), deleted: (key, last) => this.podDeleted(key, last) });
    this.nodes.addHandlers({
      upsert: (_k, node, old) => {
        this.cache.upsertNode(node);
        if (old === undefined || nodeFingerprint(old) !== nodeFingerprint(node)) this.requestMove();
      },
      deleted: (key) => this.cache.removeNode(key),
    });
  }

  start(): void {
    if (this.running !== undefined) return;
    this.pods.start();
    this.nodes.start();
    this.running = Promise.all([this.loop(), this.flushLoop()]).then(() => undefined);
  }

  /** Resolves when nothing is queued or in flight (parked pods may remain); for tests and benches. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async dispose(): Promise<void> {
    this.stop.abort();
    this.wake?.();
    await this.running;
    await Promise.allSettled([...this.inflight]);
    await Promise.all([this.pods.dispose(), this.nodes.dispose(), this.events.dispose()]);
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private isIdle(): boolean {
    return this.pods.hasSynced() && this.nodes.hasSynced() && this.queue.activeCount === 0 && this.inflight.size === 0 && !this.moveRequested;
  }

  private ours(pod: SchedPod): boolean {
    return pod.nodeName === '' && !pod.deleting && !pod.terminal && pod.schedulerName === this.schedulerName;
  }

  private podChanged(pod: SchedPod, old: SchedPod | undefined): void {
    if (pod.nodeName !== '') {
      this.cache.upsertPod(pod);
      this.queue.delete(pod.key);
      // A bound pod that finished frees its node's resources.
      if (pod.terminal && old !== undefined && !old.terminal) this.requestMove();
      return;
    }
    if (this.cache.isAssumed(pod.key)) return; // our binding is on its way
    if (!this.ours(pod)) {
      this.queue.delete(pod.key);
      return;
    }
    if (this.queue.offer(pod.key, pod.specFingerprint)) this.kick();
  }

  private podDeleted(key: string, last: SchedPod): void {
    this.queue.delete(key);
    if (this.cache.removePod(key) || last.nodeName !== '') this.requestMove();
  }

  private requestMove(): void {
    this.moveRequested = true;
    this.kick();
  }

  private kick(): void {
    this.wake?.();
  }

  private async flushLoop(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      try {
        await this.deps.clock.sleep(this.opts.flushIntervalMs ?? 60_000, signal);
      } catch {
        return;
      }
      this.requestMove();
    }
  }

  /** Wakes the loop when the earliest parked pod's back-off ends (after a move left it waiting). */
  private scheduleParkedCheck(atMs: number | undefined): void {
    if (atMs === undefined || (this.nextParkedCheck !== undefined && this.nextParkedCheck <= atMs)) return;
    this.nextParkedCheck = atMs;
    void this.deps.clock.sleep(Math.max(0, atMs - this.deps.clock.now()), this.stop.signal).then(
      () => {
        if (this.nextParkedCheck === atMs) this.nextParkedCheck = undefined;
        this.requestMove();
      },
      () => undefined,
    );
  }

  private async loop(): Promise<void> {
    const signal = this.stop.signal;
    await Promise.all([this.pods.waitForSync(), this.nodes.waitForSync()]);
    const random = this.opts.random ?? Math.random;
    const limit = this.opts.concurrency ?? 16;
    while (!signal.aborted) {
      if (this.moveRequested) {
        this.moveRequested = false;
        this.scheduleParkedCheck(this.queue.moveParked(this.deps.clock.now()));
      }
      const key = this.queue.pop();
      if (key === undefined) {
        if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const pod = this.pods.get(key);
      if (pod === undefined || !this.ours(pod) || this.cache.isAssumed(key)) continue;
      const d = decide(pod, this.cache.nodes(), random);
      if (d.kind === 'fit') {
        this.cache.assume(pod, d.node);
        this.track(this.bind(pod, d.node, signal));
      } else {
        this.queue.park(key, pod.specFingerprint, this.deps.clock.now());
        this.stats.unschedulable++;
        this.track(this.reportUnschedulable(pod, d.message, signal));
      }
      if (this.inflight.size >= limit) await Promise.race(this.inflight);
    }
  }

  private track(p: Promise<void>): void {
    const tracked = p.finally(() => {
      this.inflight.delete(tracked);
      if (this.inflight.size === 0) this.kick();
    });
    this.inflight.add(tracked);
  }

  private async bind(pod: SchedPod, node: string, signal: AbortSignal): Promise<void> {
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: pod.name, namespace: pod.namespace, ...(pod.uid === '' ? {} : { uid: pod.uid }) },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    };
    try {
      await this.deps.client.create(`${podPath(pod.namespace, pod.name)}/binding`, binding, { signal });
    } catch (err) {
      this.cache.forget(pod.key);
      if (signal.aborted) return;
      this.stats.bindFailures++;
      // Already bound (the informer brings the bound pod) or gone: nothing to retry.
      if (isNodeletError(err, ErrorCode.Conflict) || isNodeletError(err, ErrorCode.NotFound)) return;
      this.deps.log.warn('scheduler: binding failed; will retry', { pod: pod.key, node, error: errorMessage(err) });
      void this.deps.clock.sleep(1000, signal).then(() => {
        this.queue.requeue(pod.key);
        this.kick();
      }, () => undefined);
      return;
    }
    this.stats.scheduled++;
    this.events.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.namespace}/${pod.name} to ${node}`);
  }

  private async reportUnschedulable(pod: SchedPod, message: string, signal: AbortSignal): Promise<void> {
    this.deps.log.debug('scheduler: pod unschedulable', { pod: pod.key, message });
    this.events.record(pod, 'Warning', 'FailedScheduling', message);
    if (pod.unschedulableMessage === message) return;
    const condition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: rfc3339(this.deps.clock.now()) };
    try {
      await this.deps.client.patch(`${podPath(pod.namespace, pod.name)}/status`, 'strategic', { status: { conditions: [condition] } }, { signal });
    } catch (err) {
      if (!signal.aborted && !isNodeletError(err, ErrorCode.NotFound)) this.deps.log.warn('scheduler: cannot record the unschedulable condition', { pod: pod.key, error: errorMessage(err) });
    }
  }
}
