// The Deployment controller (upstream pkg/controller/deployment) as an API client. Informers on
// deployments, replicasets and pods only record keys; one queue syncs a Deployment at a time:
// claim its ReplicaSets, then either scale (paused, or resized), or roll (RollingUpdate or
// Recreate) one step, clean up history, and write status. Each step is recomputed from the
// cache, so a restarted controller continues a rollout where the objects say it is.
import { Informer } from '../../../api/client/informer.js';
import { isEverything, matchesLabels } from '../../../api/labels.js';
import type { KubeObject } from '../../../api/object.js';
import { ErrorCode, errorMessage, isNodeletError, NodeletError } from '../../../base/errors.js';
import type { Disposable } from '../../../base/lifecycle.js';
import { WorkQueue } from '../work-queue.js';
import { addAfter } from '../replicaset/delayed.js';
import { adopt, decideClaim, release } from '../replicaset/ownership.js';
import { controllerRefOf, podView, type PodView } from '../replicaset/pods.js';
import { replicaSetPath, replicaSetView, type ReplicaSetView } from '../replicaset/replicaset-view.js';
import { deploymentPath, deploymentView, type DeploymentView } from './deployment-view.js';
import { Fresher } from './fresher.js';
import { runRollout, type RolloutOps } from './rollout.js';
import type { ControllerDeps } from '../deps.js';

export type DeploymentControllerDeps = ControllerDeps;

export interface DeploymentControllerOptions {
  name?: string;
}

export class DeploymentController implements Disposable {
  private readonly deployments: Informer<DeploymentView>;
  private readonly sets: Informer<ReplicaSetView>;
  private readonly pods: Informer<PodView>;
  private readonly queue: WorkQueue;
  private readonly stop = new AbortController();
  private readonly freshSets = new Fresher<ReplicaSetView>();
  private readonly freshDeployments = new Fresher<DeploymentView>();

  constructor(
    private readonly deps: DeploymentControllerDeps,
    opts: DeploymentControllerOptions = {},
  ) {
    const name = opts.name ?? 'deployment controller';
    this.queue = new WorkQueue({ clock: deps.clock, log: deps.log, name }, (key, signal) => this.sync(key, signal));
    const onError = (err: unknown): void => {
      deps.log.debug(`${name}: watch`, { error: errorMessage(err) });
    };
    this.deployments = new Informer(deps, { path: '/apis/apps/v1/deployments', parse: deploymentView, onError });
    this.sets = new Informer(deps, { path: '/apis/apps/v1/replicasets', parse: replicaSetView, onError });
    this.pods = new Informer(deps, { path: '/api/v1/pods', parse: podView, onError });
    this.deployments.addHandlers({ upsert: (key) => this.queue.add(key), deleted: (key) => this.queue.add(key) });
    this.sets.addHandlers({ upsert: (_k, rs, old) => this.setChanged(rs, old), deleted: (_k, rs) => this.setChanged(rs, undefined) });
    // Recreate waits for old pods to go: their deletion moves the rollout.
    this.pods.addHandlers({ deleted: (_k, pod) => this.podGone(pod), upsert: (_k, pod, old) => {
      if (pod.phase !== old?.phase) this.podGone(pod);
    } });
  }

  start(): void {
    this.deployments.start();
    this.sets.start();
    this.pods.start();
    void Promise.all([this.deployments.waitForSync(), this.sets.waitForSync(), this.pods.waitForSync()]).then(() => this.queue.start());
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  async dispose(): Promise<void> {
    this.stop.abort();
    await this.queue.dispose();
    await Promise.all([this.deployments.dispose(), this.sets.dispose(), this.pods.dispose()]);
  }

  private setChanged(rs: ReplicaSetView, old: ReplicaSetView | undefined): void {
    const ref = controllerRefOf(rs.obj);
    if (ref?.kind === 'Deployment') this.queue.add(`${rs.namespace}/${ref.name}`);
    const oldRef = old === undefined ? undefined : controllerRefOf(old.obj);
    if (oldRef?.kind === 'Deployment' && oldRef.uid !== ref?.uid) this.queue.add(`${rs.namespace}/${oldRef.name}`);
    if (ref === undefined) {
      for (const d of this.deployments.list()) {
        if (d.namespace === rs.namespace && matchesLabels(d.selector, rs.labels)) this.queue.add(`${d.namespace}/${d.name}`);
      }
    }
  }

  private podGone(pod: PodView): void {
    const ref = controllerRefOf(pod.obj);
    if (ref?.kind !== 'ReplicaSet') return;
    const rs = this.sets.get(`${pod.namespace}/${ref.name}`);
    const owner = rs === undefined ? undefined : controllerRefOf(rs.obj);
    if (owner?.kind === 'Deployment') this.queue.add(`${pod.namespace}/${owner.name}`);
  }

  private async sync(key: string, signal: AbortSignal): Promise<void> {
    const cached = this.deployments.get(key);
    if (cached === undefined) return;
    const d = this.freshDeployments.pick(cached);
    if (isEverything(d.selector)) {
      this.deps.log.warn('deployment controller: a deployment with an empty selector selects every pod; not syncing', { deployment: key });
      return;
    }
    const rss = await this.claim(d, signal);
    const ops: RolloutOps = {
      client: this.deps.client,
      signal,
      now: () => this.deps.clock.now(),
      log: this.deps.log,
      storedSet: (rs) => this.freshSets.record(rs),
      storedDeployment: (obj) => {
        const v = deploymentView(obj);
        if (v !== undefined) this.freshDeployments.record(v);
        return v;
      },
      oldPodsRunning: (olds) => {
        const uids = new Set(olds.map((r) => r.uid));
        return this.pods.list().some((p) => p.namespace === d.namespace && uids.has(controllerRefOf(p.obj)?.uid ?? '') && p.phase !== 'Succeeded' && p.phase !== 'Failed');
      },
    };
    const recheck = await runRollout(ops, d, rss);
    if (recheck !== undefined) addAfter(this.deps.clock, this.stop.signal, recheck, () => this.queue.add(key));
  }

  /** getReplicaSetsForDeployment: owned sets after adopting matching orphans and releasing strays. */
  private async claim(d: DeploymentView, signal: AbortSignal): Promise<ReplicaSetView[]> {
    const out: ReplicaSetView[] = [];
    let rechecked = false;
    for (const cached of this.sets.list()) {
      if (cached.namespace !== d.namespace) continue;
      const rs = this.freshSets.pick(cached);
      const claim = decideClaim({ ownerUid: d.uid, ownerDeleting: d.deleting, owners: rs.owners, dependentDeleting: rs.deleting, matches: matchesLabels(d.selector, rs.labels) });
      if (claim === 'own') out.push(rs);
      if (claim === 'release') await ignoreNotFound(release(this.deps.client, replicaSetPath(rs.namespace, rs.name), rs.obj, d.uid, signal));
      if (claim !== 'adopt') continue;
      if (!rechecked) {
        const fresh = await this.deps.client.get(deploymentPath(d.namespace, d.name), { signal });
        if (fresh.metadata.uid !== d.uid || typeof fresh.metadata.deletionTimestamp === 'string') {
          throw new NodeletError(ErrorCode.FailedPrecondition, `deployment ${d.namespace}/${d.name} changed or is being deleted; not adopting`);
        }
        rechecked = true;
      }
      const stored = await ignoreNotFound(adopt(this.deps.client, replicaSetPath(rs.namespace, rs.name), rs.obj, { apiVersion: 'apps/v1', kind: 'Deployment', name: d.name, uid: d.uid }, signal));
      const view = stored === undefined ? undefined : replicaSetView(stored);
      if (view !== undefined) out.push(this.freshSets.record(view));
    }
    return out;
  }
}

async function ignoreNotFound(p: Promise<KubeObject>): Promise<KubeObject | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNodeletError(err, ErrorCode.NotFound)) return undefined;
    throw err;
  }
}
