// The node lifecycle controller as an API client. It notes, on its own clock, when each node's
// Lease (kube-node-lease) or Ready heartbeat last changed (upstream's probeTimestamp, so clock
// skew between nodes does not matter). A node silent for longer than the grace period gets its
// conditions set Unknown and the unreachable taints; its pods are marked not ready and, after
// their toleration of the NoExecute taint runs out, deleted so their controllers replace them.
// A node that renews again loses the unreachable taints (its agent reposts Ready).
import { Informer } from '../../../api/client/informer.js';
import { asJson, objectAt, objectsAt, stringAt } from '../../../api/json.js';
import type { KubeObject } from '../../../api/object.js';
import { ErrorCode, errorMessage, isNodeletError } from '../../../base/errors.js';
import type { Disposable } from '../../../base/lifecycle.js';
import { WorkQueue } from '../work-queue.js';
import { addAfter } from '../replicaset/delayed.js';
import { isActive, podView, type PodView } from '../replicaset/pods.js';
import { evictionTime, notReadyConditions, parseTaints, parseTolerations, unknownConditions, withoutUnreachableTaints, withUnreachableTaints } from './plan.js';
import type { ControllerDeps } from '../deps.js';

export const LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeLifecycleOptions {
  /** nodeMonitorGracePeriod: silence after which a node is unreachable (default 50 s). */
  gracePeriodMs?: number;
  /** nodeMonitorPeriod: how often every node is looked at (default 5 s). */
  monitorPeriodMs?: number;
  /** Eviction of pods without their own toleration of the unreachable taint (default 300 s). */
  evictionTimeoutSeconds?: number;
}

interface Health {
  probe: number;
  heartbeat: string;
  renew: string;
}

interface NodeView {
  obj: KubeObject;
  name: string;
  heartbeat: string;
}

function nodeView(obj: KubeObject): NodeView | undefined {
  if (typeof obj.metadata.name !== 'string') return undefined;
  const ready = objectsAt(objectAt(asJson(obj), 'status'), 'conditions').find((c) => c['type'] === 'Ready');
  return { obj, name: obj.metadata.name, heartbeat: stringAt(ready, 'lastHeartbeatTime') ?? '' };
}

function leaseRenew(obj: KubeObject): { name: string; renew: string } | undefined {
  if (typeof obj.metadata.name !== 'string') return undefined;
  return { name: obj.metadata.name, renew: stringAt(objectAt(asJson(obj), 'spec'), 'renewTime') ?? '' };
}

export class NodeLifecycleController implements Disposable {
  private readonly nodes: Informer<NodeView>;
  private readonly leases: Informer<{ name: string; renew: string }>;
  private readonly pods: Informer<PodView>;
  private readonly queue: WorkQueue;
  private readonly health = new Map<string, Health>();
  private readonly timers = new Map<string, number>();
  private readonly stop = new AbortController();
  private readonly graceMs: number;
  private readonly monitorMs: number;
  private readonly evictionSeconds: number;

  constructor(
    private readonly deps: ControllerDeps,
    opts: NodeLifecycleOptions = {},
  ) {
    this.graceMs = opts.gracePeriodMs ?? 50_000;
    this.monitorMs = opts.monitorPeriodMs ?? 5_000;
    this.evictionSeconds = opts.evictionTimeoutSeconds ?? 300;
    this.queue = new WorkQueue({ clock: deps.clock, log: deps.log, name: 'node lifecycle controller' }, (key, signal) => this.sync(key, signal));
    const onError = (err: unknown): void => {
      deps.log.debug('node lifecycle controller: watch', { error: errorMessage(err) });
    };
    this.nodes = new Informer(deps, { path: '/api/v1/nodes', parse: nodeView, onError });
    this.leases = new Informer(deps, { path: `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases`, parse: leaseRenew, onError });
    this.pods = new Informer(deps, { path: '/api/v1/pods', parse: podView, onError });
    this.nodes.addHandlers({
      upsert: (key, node) => this.observe(key, { heartbeat: node.heartbeat }),
      deleted: (key) => {
        this.health.delete(key);
        this.queue.add(key);
      },
    });
    this.leases.addHandlers({ upsert: (_key, lease) => this.observe(lease.name, { renew: lease.renew }) });
    this.pods.addHandlers({
      upsert: (_key, pod) => {
        if (pod.nodeName !== '') this.queue.add(pod.nodeName);
      },
    });
  }

  start(): void {
    this.nodes.start();
    this.leases.start();
    this.pods.start();
    void Promise.all([this.nodes.waitForSync(), this.leases.waitForSync(), this.pods.waitForSync()]).then(() => {
      this.queue.start();
      void this.monitor();
    });
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  async dispose(): Promise<void> {
    this.stop.abort();
    await this.queue.dispose();
    await Promise.all([this.nodes.dispose(), this.leases.dispose(), this.pods.dispose()]);
  }

  /** Every monitor period, every node is looked at again (a backstop to the per-node timers). */
  private async monitor(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      for (const key of this.nodes.keys()) this.queue.add(key);
      try {
        await this.deps.clock.sleep(this.monitorMs, signal);
      } catch {
        return;
      }
    }
  }

  /** A changed heartbeat or renewTime is a sign of life, timed by our own clock. */
  private observe(name: string, seen: { heartbeat?: string; renew?: string }): void {
    const now = this.deps.clock.now();
    const h = this.health.get(name);
    if (h === undefined) {
      this.health.set(name, { probe: now, heartbeat: seen.heartbeat ?? '', renew: seen.renew ?? '' });
    } else if ((seen.heartbeat !== undefined && seen.heartbeat !== h.heartbeat) || (seen.renew !== undefined && seen.renew !== h.renew)) {
      h.probe = now;
      if (seen.heartbeat !== undefined) h.heartbeat = seen.heartbeat;
      if (seen.renew !== undefined) h.renew = seen.renew;
    }
    this.queue.add(name);
  }

  private async sync(name: string, signal: AbortSignal): Promise<void> {
    const node = this.nodes.get(name);
    if (node === undefined) return;
    const now = this.deps.clock.now();
    const h = this.health.get(name) ?? { probe: now, heartbeat: node.heartbeat, renew: '' };
    this.health.set(name, h);
    const due = h.probe + this.graceMs;
    if (now <= due) {
      await this.reachable(node, signal);
      this.checkAt(name, due + 1, now);
      return;
    }
    const current = await this.unreachable(node, now, signal);
    const pods = this.pods.list().filter((p) => p.nodeName === name && isActive(p));
    for (const p of pods) await this.markNotReady(p, now, signal);
    await this.evict(current, pods, now, signal);
  }

  private async reachable(node: NodeView, signal: AbortSignal): Promise<void> {
    const taints = withoutUnreachableTaints(parseTaints(objectAt(asJson(node.obj), 'spec')));
    if (taints === undefined) return;
    this.deps.log.info('node lifecycle controller: node is reachable again; removing the unreachable taints', { node: node.name });
    await this.writeTaints(node.obj, taints, signal);
  }

  /** Conditions Unknown, then the taints; resolves with the node as stored. */
  private async unreachable(node: NodeView, now: number, signal: AbortSignal): Promise<KubeObject> {
    let obj = node.obj;
    const conditions = unknownConditions(objectsAt(objectAt(asJson(obj), 'status'), 'conditions'), now);
    if (conditions !== undefined) {
      this.deps.log.info('node lifecycle controller: node stopped posting status; conditions set Unknown', { node: node.name });
      const next = structuredClone(obj);
      const status = objectAt(asJson(next), 'status') ?? {};
      status['conditions'] = conditions;
      asJson(next)['status'] = status;
      obj = await this.deps.client.update(`/api/v1/nodes/${encodeURIComponent(node.name)}/status`, next, { signal });
    }
    const taints = withUnreachableTaints(parseTaints(objectAt(asJson(obj), 'spec')), now);
    if (taints !== undefined) obj = await this.writeTaints(obj, taints, signal);
    return obj;
  }

  private async writeTaints(obj: KubeObject, taints: ReturnType<typeof parseTaints>, signal: AbortSignal): Promise<KubeObject> {
    const next = structuredClone(obj);
    const spec = objectAt(asJson(next), 'spec') ?? {};
    if (taints.length === 0) delete spec['taints'];
    else spec['taints'] = taints.map((t) => ({ ...t }));
    asJson(next)['spec'] = spec;
    return this.deps.client.update(`/api/v1/nodes/${encodeURIComponent(obj.metadata.name ?? '')}`, next, { signal });
  }

  private async markNotReady(p: PodView, now: number, signal: AbortSignal): Promise<void> {
    const status = objectAt(asJson(p.obj), 'status');
    const conditions = notReadyConditions(objectsAt(status, 'conditions'), now);
    if (conditions === undefined) return;
    const next = structuredClone(p.obj);
    asJson(next)['status'] = { ...(status ?? {}), conditions };
    await ignoreNotFound(this.deps.client.update(`${podPath(p)}/status`, next, { signal }));
  }

  /** Deletes the pods whose toleration ran out; looks again when the next one is due. */
  private async evict(node: KubeObject, pods: PodView[], now: number, signal: AbortSignal): Promise<void> {
    const taints = parseTaints(objectAt(asJson(node), 'spec'));
    let next: number | undefined;
    for (const p of pods) {
      const at = evictionTime(parseTolerations(objectAt(asJson(p.obj), 'spec')), taints, this.evictionSeconds, now);
      if (at === undefined) continue;
      if (at > now) {
        next = Math.min(next ?? at, at);
        continue;
      }
      this.deps.log.info('node lifecycle controller: evicting a pod from an unreachable node', { node: node.metadata.name, pod: `${p.namespace}/${p.name}` });
      await ignoreNotFound(this.deps.client.delete(podPath(p), { preconditions: { uid: p.uid } }, { signal }));
    }
    if (next !== undefined) this.checkAt(node.metadata.name ?? '', next + 1, now);
  }

  /** One timer per node and due time, however often the node is synced before it. */
  private checkAt(name: string, at: number, now: number): void {
    if (this.timers.get(name) === at) return;
    this.timers.set(name, at);
    addAfter(this.deps.clock, this.stop.signal, at - now, () => {
      if (this.timers.get(name) === at) this.timers.delete(name);
      this.queue.add(name);
    });
  }
}

function podPath(p: PodView): string {
  return `/api/v1/namespaces/${encodeURIComponent(p.namespace)}/pods/${encodeURIComponent(p.name)}`;
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNodeletError(err, ErrorCode.NotFound)) throw err;
  }
}
