// The ReplicaSet controller (upstream pkg/controller/replicaset) as an API client: informers on
// pods and replicasets only record keys; one work queue syncs a ReplicaSet at a time from the
// cache: claim pods (adopt/release), create or delete the difference (creations in slow-start
// batches, guarded by expectations), then write status.
import { Informer } from '../../../api/client/informer.js';
import { cloneJson, objectAt } from '../../../api/json.js';
import type { JsonObject, KubeObject } from '../../../api/object.js';
import { matchesLabels } from '../../../api/labels.js';
import { ErrorCode, errorMessage, isNodeletError, NodeletError } from '../../../base/errors.js';
import type { Disposable } from '../../../base/lifecycle.js';
import { WorkQueue } from '../work-queue.js';
import { addAfter } from './delayed.js';
import { Expectations } from './expectations.js';
import { adopt, controllerRef, release, type OwnerIdentity } from './ownership.js';
import { planReplicaSet, slowStartBatches, type ReplicaSetStatusFacts } from './plan.js';
import { controllerRefOf, isActive, podView, type PodView } from './pods.js';
import { podPath, replicaSetPath, replicaSetView, type ReplicaSetView } from './replicaset-view.js';
import type { ControllerDeps } from '../deps.js';

export type ReplicaSetControllerDeps = ControllerDeps;

export interface ReplicaSetControllerOptions {
  /** Name in logs; default "replicaset controller". */
  name?: string;
}

export class ReplicaSetController implements Disposable {
  private readonly pods: Informer<PodView>;
  private readonly sets: Informer<ReplicaSetView>;
  private readonly queue: WorkQueue;
  private readonly expectations: Expectations;
  private readonly stop = new AbortController();

  constructor(
    private readonly deps: ReplicaSetControllerDeps,
    opts: ReplicaSetControllerOptions = {},
  ) {
    const name = opts.name ?? 'replicaset controller';
    this.expectations = new Expectations(deps.clock);
    this.queue = new WorkQueue({ clock: deps.clock, log: deps.log, name }, (key, signal) => this.sync(key, signal));
    const onError = (err: unknown): void => {
      deps.log.debug(`${name}: watch`, { error: errorMessage(err) });
    };
    this.pods = new Informer(deps, { path: '/api/v1/pods', parse: podView, onError });
    this.sets = new Informer(deps, { path: '/apis/apps/v1/replicasets', parse: replicaSetView, onError });
    this.pods.addHandlers({
      upsert: (_key, pod, old) => this.podChanged(pod, old),
      deleted: (_key, pod) => this.podChanged(pod, undefined, true),
    });
    this.sets.addHandlers({
      upsert: (key) => this.queue.add(key),
      deleted: (key) => {
        this.expectations.forget(key);
        this.queue.add(key);
      },
    });
  }

  start(): void {
    this.pods.start();
    this.sets.start();
    void Promise.all([this.pods.waitForSync(), this.sets.waitForSync()]).then(() => this.queue.start());
  }

  /** Resolves when the queue has nothing waiting or running (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  async dispose(): Promise<void> {
    this.stop.abort();
    await this.queue.dispose();
    await Promise.all([this.pods.dispose(), this.sets.dispose()]);
  }

  private podChanged(pod: PodView, old: PodView | undefined, gone = false): void {
    const ref = controllerRefOf(pod.obj);
    const key = ref?.kind === 'ReplicaSet' ? `${pod.namespace}/${ref.name}` : undefined;
    if (key !== undefined) {
      if (old === undefined && !gone) this.expectations.creationObserved(key);
      if (gone || (pod.deleting && old?.deleting !== true)) this.expectations.deletionObserved(key, pod.uid);
      this.queue.add(key);
    }
    const oldRef = old === undefined ? undefined : controllerRefOf(old.obj);
    if (oldRef !== undefined && oldRef.kind === 'ReplicaSet' && oldRef.uid !== ref?.uid) this.queue.add(`${pod.namespace}/${oldRef.name}`);
    // An orphan (or one whose labels changed) may be adopted by any matching ReplicaSet.
    if (ref === undefined && !gone) {
      for (const rs of this.sets.list()) {
        if (rs.namespace === pod.namespace && matchesLabels(rs.selector, pod.labels)) this.queue.add(`${rs.namespace}/${rs.name}`);
      }
    }
  }

  private async sync(key: string, signal: AbortSignal): Promise<void> {
    const rs = this.sets.get(key);
    if (rs === undefined) {
      this.expectations.forget(key);
      return;
    }
    const pods = this.pods.list().filter((p) => p.namespace === rs.namespace);
    const plan = planReplicaSet({
      rs,
      pods,
      related: this.relatedPods(rs, pods),
      now: this.deps.clock.now(),
      manage: this.expectations.satisfied(key),
    });
    const owner: OwnerIdentity = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.name, uid: rs.uid };
    if (plan.adopt.length > 0) await this.recheckOwner(rs, signal);
    for (const p of plan.adopt) await ignoreNotFound(adopt(this.deps.client, podPath(p.namespace, p.name), p.obj, owner, signal));
    for (const p of plan.release) await ignoreNotFound(release(this.deps.client, podPath(p.namespace, p.name), p.obj, rs.uid, signal));
    let failure: unknown;
    if (plan.create > 0) failure = await this.createPods(key, rs, owner, plan.create, signal);
    if (plan.delete.length > 0) failure ??= await this.deletePods(key, plan.delete, signal);
    await this.writeStatus(rs, plan.status, signal);
    if (failure !== undefined) throw failure;
    if (plan.recheckAfterMs !== undefined) addAfter(this.deps.clock, this.stop.signal, plan.recheckAfterMs, () => this.queue.add(key));
  }

  /** Active pods controlled by the ReplicaSet's siblings (same controlling owner), itself included. */
  private relatedPods(rs: ReplicaSetView, pods: PodView[]): PodView[] {
    const ctrl = controllerRefOf(rs.obj);
    if (ctrl === undefined) return [];
    const siblings = new Set(this.sets.list().filter((s) => s.namespace === rs.namespace && controllerRefOf(s.obj)?.uid === ctrl.uid).map((s) => s.uid));
    return pods.filter((p) => isActive(p) && siblings.has(controllerRefOf(p.obj)?.uid ?? ''));
  }

  /** Upstream's RecheckDeletionTimestamp: adopt only for the live, same-uid ReplicaSet. */
  private async recheckOwner(rs: ReplicaSetView, signal: AbortSignal): Promise<void> {
    const fresh = await this.deps.client.get(replicaSetPath(rs.namespace, rs.name), { signal });
    if (fresh.metadata.uid !== rs.uid || typeof fresh.metadata.deletionTimestamp === 'string') {
      throw new NodeletError(ErrorCode.FailedPrecondition, `replicaset ${rs.namespace}/${rs.name} changed or is being deleted; not adopting`);
    }
  }

  /** Creates `count` pods in slow-start batches; returns the first error (the rest are skipped). */
  private async createPods(key: string, rs: ReplicaSetView, owner: OwnerIdentity, count: number, signal: AbortSignal): Promise<unknown> {
    this.expectations.expectCreations(key, count);
    const body = podFromTemplate(rs, owner);
    let done = 0;
    for (const size of slowStartBatches(count)) {
      const results = await Promise.allSettled(Array.from({ length: size }, () => this.deps.client.create(podPath(rs.namespace), cloneKube(body), { signal })));
      done += size;
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length === 0) continue;
      for (let i = 0; i < failed.length; i++) this.expectations.creationSkipped(key);
      if (count - done > 0) this.expectations.creationSkipped(key, count - done);
      return failed[0]?.reason;
    }
    return undefined;
  }

  private async deletePods(key: string, pods: PodView[], signal: AbortSignal): Promise<unknown> {
    this.expectations.expectDeletions(key, pods.map((p) => p.uid));
    const results = await Promise.allSettled(
      pods.map((p) => this.deps.client.delete(podPath(p.namespace, p.name), { preconditions: { uid: p.uid } }, { signal })),
    );
    let failure: unknown;
    results.forEach((r, i) => {
      const pod = pods[i];
      if (r.status === 'fulfilled' || pod === undefined) return;
      this.expectations.deletionObserved(key, pod.uid);
      if (!isNodeletError(r.reason, ErrorCode.NotFound)) failure ??= r.reason;
    });
    return failure;
  }

  private async writeStatus(rs: ReplicaSetView, status: ReplicaSetStatusFacts, signal: AbortSignal): Promise<void> {
    const cur = rs.status;
    if (
      cur.replicas === status.replicas &&
      cur.fullyLabeledReplicas === status.fullyLabeledReplicas &&
      cur.readyReplicas === status.readyReplicas &&
      cur.availableReplicas === status.availableReplicas &&
      cur.observedGeneration === status.observedGeneration
    ) {
      return;
    }
    const patch = { status: { ...status } };
    await ignoreNotFound(this.deps.client.patch(`${replicaSetPath(rs.namespace, rs.name)}/status`, 'merge', patch, { signal }));
  }
}

/** GetPodFromTemplate: the template's labels, annotations, finalizers and spec, owned by the set. */
export function podFromTemplate(rs: ReplicaSetView, owner: OwnerIdentity): KubeObject {
  const tmeta = objectAt(rs.template, 'metadata') ?? {};
  const metadata: JsonObject = { generateName: `${rs.name}-`, namespace: rs.namespace, ownerReferences: [{ ...controllerRef(owner) }] };
  for (const field of ['labels', 'annotations', 'finalizers']) {
    const v = tmeta[field];
    if (v !== undefined && v !== null) metadata[field] = cloneJson(v);
  }
  const spec = objectAt(rs.template, 'spec') ?? {};
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: cloneJson(spec) } as unknown as KubeObject;
}

function cloneKube(obj: KubeObject): KubeObject {
  return structuredClone(obj);
}

async function ignoreNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNodeletError(err, ErrorCode.NotFound)) return undefined;
    throw err;
  }
}
