// One sync of one Deployment (upstream syncDeployment with sync.go, rolling.go, recreate.go):
// find or create the new ReplicaSet and bring revisions up to date, then either scale
// (paused, or resized mid-rollout), or take one RollingUpdate / Recreate step, then clean up
// history and write status. The counts come from strategy.ts; this file does the writes.
import type { KubeClient } from '../../../api/client/types.js';
import type { KubeObject } from '../../../api/object.js';
import { ErrorCode, isNodeletError, NodeletError } from '../../../base/errors.js';
import type { Logger } from '../../../base/log.js';
import { controllerRefOf } from '../replicaset/pods.js';
import { replicaSetPath, replicaSetView, type ReplicaSetView } from '../replicaset/replicaset-view.js';
import { deploymentPath, type DeploymentCondition, type DeploymentStatus, type DeploymentView } from './deployment-view.js';
import { desiredAnnotation, equalIgnoreHash, findNewReplicaSet, maxReplicasAnnotation, newReplicaSetObject, writeReplicaSet } from './replicasets.js';
import { DESIRED_REPLICAS, historyToDelete, MAX_REPLICAS, maxRevision, newReplicaSetAnnotations, REVISION, revisionOf } from './revisions.js';
import { deploymentComplete, getCondition, newCondition, pausedConditions, PROGRESSING, REASON, rolloutStatus, setCondition } from './status.js';
import { maxSurge, maxUnavailable, newReplicasForRolling, proportionalScale, reconcileOld, type RSCounts } from './strategy.js';

export interface RolloutOps {
  client: KubeClient;
  signal: AbortSignal;
  now(): number;
  log: Logger;
  /** Records a set the controller wrote (see Fresher). */
  storedSet(rs: ReplicaSetView): ReplicaSetView;
  storedDeployment(obj: KubeObject): DeploymentView | undefined;
  /** Whether pods of these sets still run (Recreate waits for them). */
  oldPodsRunning(olds: ReplicaSetView[]): boolean;
}

/**
 * For the surge bound: a set counts with the larger of its spec and its reported pods, so a new
 * set does not grow before an old one's scale-down has reached its pods (stricter than upstream,
 * which counts spec only, so that the pod count itself stays within replicas + maxSurge).
 */
function podCounts(rs: ReplicaSetView): RSCounts {
  return { ...counts(rs), replicas: Math.max(rs.replicas, rs.status.replicas) };
}

function counts(rs: ReplicaSetView): RSCounts {
  return { id: rs.uid, replicas: rs.replicas, available: rs.status.availableReplicas, created: rs.created ?? 0, maxReplicas: maxReplicasAnnotation(rs) };
}

/** Runs one sync; resolves with ms after which to look again (progress deadline), if any. */
export async function runRollout(ops: RolloutOps, d: DeploymentView, rss: ReplicaSetView[]): Promise<number | undefined> {
  return new Rollout(ops, d, rss).run();
}

class Rollout {
  private readonly sets = new Map<string, ReplicaSetView>();
  private newRS: ReplicaSetView | undefined;
  private conds: DeploymentCondition[];
  private readonly surge: number;
  private readonly unavailable: number;

  constructor(
    private readonly ops: RolloutOps,
    private d: DeploymentView,
    rss: ReplicaSetView[],
  ) {
    for (const rs of rss) this.sets.set(rs.uid, rs);
    this.conds = d.status.conditions;
    const rolling = d.strategy === 'RollingUpdate';
    this.surge = rolling ? maxSurge(d) : 0;
    this.unavailable = rolling ? maxUnavailable(d) : 0;
  }

  private all(): ReplicaSetView[] {
    return [...this.sets.values()];
  }

  private olds(): ReplicaSetView[] {
    return this.all().filter((r) => r.uid !== this.newRS?.uid);
  }

  async run(): Promise<number | undefined> {
    const d = this.d;
    if (d.deleting) {
      await this.getNewRS(false);
      return this.syncStatus(false);
    }
    this.conds = pausedConditions(d, this.conds, this.ops.now());
    if (d.paused || this.isScalingEvent()) {
      await this.getNewRS(false);
      await this.scale();
      if (d.paused) await this.cleanup();
      return this.syncStatus(false);
    }
    return d.strategy === 'Recreate' ? this.recreate() : this.rolling();
  }

  private isScalingEvent(): boolean {
    return this.all().some((rs) => {
      if (rs.replicas <= 0) return false;
      const desired = desiredAnnotation(rs);
      return desired !== undefined && desired !== this.d.replicas;
    });
  }

  private async rolling(): Promise<number | undefined> {
    const newRS = await this.getNewRS(true);
    if (newRS === undefined) return this.syncStatus(true);
    const target = newRS.replicas > this.d.replicas ? this.d.replicas : newReplicasForRolling(this.d, this.all().map(podCounts), counts(newRS));
    if (target !== newRS.replicas && (await this.scaleTo(newRS, target))) return this.syncStatus(true);
    let scaledDown = false;
    for (const [id, n] of reconcileOld(this.d, this.olds().map(counts), counts(newRS))) {
      const rs = this.sets.get(id);
      if (rs !== undefined && rs.replicas !== n && (await this.scaleTo(rs, n))) scaledDown = true;
    }
    if (scaledDown) return this.syncStatus(true);
    if (deploymentComplete(this.d, this.d.status)) await this.cleanup();
    return this.syncStatus(true);
  }

  private async recreate(): Promise<number | undefined> {
    await this.getNewRS(false);
    let scaled = false;
    for (const rs of this.olds()) if (rs.replicas > 0 && (await this.scaleTo(rs, 0))) scaled = true;
    if (scaled || this.ops.oldPodsRunning(this.olds())) return this.syncStatus(true);
    const newRS = this.newRS ?? (await this.getNewRS(true));
    if (newRS !== undefined && newRS.replicas !== this.d.replicas) await this.scaleTo(newRS, this.d.replicas);
    if (deploymentComplete(this.d, this.d.status)) await this.cleanup();
    return this.syncStatus(true);
  }

  /** sync.go scale(): resize the active set(s) to the Deployment's replicas. */
  private async scale(): Promise<void> {
    const active = this.all().filter((r) => r.replicas > 0);
    const single = active.length === 1 ? active[0] : active.length === 0 ? (this.newRS ?? newest(this.olds())) : undefined;
    if (single !== undefined) {
      if (single.replicas !== this.d.replicas) await this.scaleTo(single, this.d.replicas);
      return;
    }
    const n = this.newRS;
    if (n !== undefined && n.replicas === this.d.replicas && desiredAnnotation(n) === this.d.replicas && n.status.availableReplicas === this.d.replicas) {
      for (const rs of this.olds()) if (rs.replicas > 0) await this.scaleTo(rs, 0);
      return;
    }
    if (this.d.strategy !== 'RollingUpdate') return;
    for (const [id, target] of proportionalScale(this.d, active.map(counts), this.d.status.replicas)) {
      const rs = this.sets.get(id);
      if (rs !== undefined) await this.scaleTo(rs, target);
    }
  }

  /** Sets replicas and the replica annotations; true when the size changed. */
  private async scaleTo(rs: ReplicaSetView, replicas: number): Promise<boolean> {
    const annotations = { [DESIRED_REPLICAS]: String(this.d.replicas), [MAX_REPLICAS]: String(this.d.replicas + this.surge) };
    const stored = await writeReplicaSet(this.ops.client, rs, { replicas, annotations }, this.ops.signal);
    if (stored === undefined) return false;
    this.remember(stored);
    return stored.replicas !== rs.replicas;
  }

  private remember(rs: ReplicaSetView): void {
    this.sets.set(rs.uid, this.ops.storedSet(rs));
    if (this.newRS?.uid === rs.uid) this.newRS = rs;
  }

  /** getNewReplicaSet: finds (and updates) or creates the set of the current template. */
  private async getNewRS(create: boolean): Promise<ReplicaSetView | undefined> {
    const d = this.d;
    const now = this.ops.now();
    const existing = findNewReplicaSet(d, this.all());
    const olds = this.all().filter((r) => r.uid !== existing?.uid);
    const newRevision = maxRevision(olds) + 1;
    if (existing !== undefined) {
      this.newRS = existing;
      const { annotations, changed } = newReplicaSetAnnotations(existing.annotations, { annotations: d.annotations, replicas: d.replicas, surge: this.surge }, newRevision, true);
      if (changed || existing.minReadySeconds !== d.minReadySeconds) {
        const stored = await writeReplicaSet(this.ops.client, existing, { annotations, minReadySeconds: d.minReadySeconds }, this.ops.signal);
        if (stored !== undefined) this.remember(stored);
      }
      await this.syncRevision(revisionOf(this.newRS.annotations));
      if (d.progressDeadlineSeconds !== undefined && getCondition(this.conds, PROGRESSING) === undefined) {
        this.conds = setCondition(this.conds, newCondition(PROGRESSING, 'True', REASON.foundNewRS, `Found new replica set "${existing.name}"`, now));
      }
      return this.newRS;
    }
    if (!create) return undefined;
    const replicas = d.strategy === 'Recreate' ? d.replicas : newReplicasForRolling(d, olds.map(podCounts), { id: '', replicas: 0, available: 0, created: now });
    const { annotations } = newReplicaSetAnnotations({}, { annotations: d.annotations, replicas: d.replicas, surge: this.surge }, newRevision, false);
    const body = newReplicaSetObject(d, replicas, annotations);
    let created: ReplicaSetView | undefined;
    try {
      created = replicaSetView(await this.ops.client.create(replicaSetPath(d.namespace), body, { signal: this.ops.signal }));
      if (d.progressDeadlineSeconds !== undefined) {
        this.conds = setCondition(this.conds, newCondition(PROGRESSING, 'True', REASON.newRSCreated, `Created new replica set "${body.metadata.name ?? ''}"`, now));
      }
    } catch (err) {
      if (!isNodeletError(err, ErrorCode.AlreadyExists)) throw err;
      created = await this.adoptExisting(body.metadata.name ?? '');
    }
    if (created === undefined) throw new NodeletError(ErrorCode.Internal, `replicaset ${d.namespace}/${body.metadata.name ?? ''}: the stored object is not readable`);
    this.newRS = created;
    this.remember(created);
    await this.syncRevision(newRevision);
    return created;
  }

  /** A set of that name exists: ours with our template (a stale cache), or a hash collision. */
  private async adoptExisting(name: string): Promise<ReplicaSetView> {
    const d = this.d;
    const rs = replicaSetView(await this.ops.client.get(replicaSetPath(d.namespace, name), { signal: this.ops.signal }));
    if (rs !== undefined && controllerRefOf(rs.obj)?.uid === d.uid && equalIgnoreHash(rs.template, d.template)) return rs;
    const collisionCount = (d.status.collisionCount ?? 0) + 1;
    await this.ops.client.patch(`${deploymentPath(d.namespace, d.name)}/status`, 'merge', { status: { collisionCount } }, { signal: this.ops.signal });
    throw new NodeletError(ErrorCode.Conflict, `deployment ${d.namespace}/${d.name}: replicaset ${name} exists with another template; collisionCount is now ${collisionCount}`);
  }

  /** The Deployment's revision annotation follows its new set's. */
  private async syncRevision(revision: number): Promise<void> {
    const d = this.d;
    if (revision <= 0 || d.annotations[REVISION] === String(revision)) return;
    const patch = { metadata: { annotations: { [REVISION]: String(revision) } } };
    const stored = await this.ops.client.patch(deploymentPath(d.namespace, d.name), 'merge', patch, { signal: this.ops.signal });
    const view = this.ops.storedDeployment(stored);
    if (view !== undefined) this.d = { ...view, status: d.status };
  }

  private async cleanup(): Promise<void> {
    for (const rs of historyToDelete(this.olds(), this.d.revisionHistoryLimit)) {
      try {
        await this.ops.client.delete(replicaSetPath(rs.namespace, rs.name), { preconditions: { uid: rs.uid } }, { signal: this.ops.signal });
      } catch (err) {
        if (!isNodeletError(err, ErrorCode.NotFound)) throw err;
      }
      this.sets.delete(rs.uid);
    }
  }

  /** Writes the status (with the Progressing condition when `rollout`); returns the recheck delay. */
  private async syncStatus(rollout: boolean): Promise<number | undefined> {
    const d: DeploymentView = { ...this.d, status: { ...this.d.status, conditions: this.conds } };
    const { status, recheckAfterMs } = rolloutStatus(d, this.all(), this.newRS, this.unavailable, this.ops.now());
    if (!rollout) status.conditions = d.progressDeadlineSeconds === undefined ? status.conditions : mergeKeepProgressing(status.conditions, this.conds);
    if (!sameStatus(this.d.status, status)) {
      const stored = await this.ops.client.patch(`${deploymentPath(d.namespace, d.name)}/status`, 'merge', { status }, { signal: this.ops.signal });
      this.ops.storedDeployment(stored);
    }
    return rollout ? recheckAfterMs : undefined;
  }
}

/** For scale-only syncs (upstream syncDeploymentStatus): Progressing stays as it was. */
function mergeKeepProgressing(computed: DeploymentCondition[], before: DeploymentCondition[]): DeploymentCondition[] {
  const prog = getCondition(before, PROGRESSING);
  const rest = computed.filter((c) => c.type !== PROGRESSING);
  return prog === undefined ? rest : [...rest, prog];
}

function newest(rss: ReplicaSetView[]): ReplicaSetView | undefined {
  return [...rss].sort((a, b) => (b.created ?? 0) - (a.created ?? 0))[0];
}

function sameStatus(a: DeploymentStatus, b: DeploymentStatus): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(s: DeploymentStatus): unknown {
  const conds = [...s.conditions].sort((x, y) => (x.type < y.type ? -1 : 1));
  return [s.observedGeneration, s.replicas, s.updatedReplicas, s.readyReplicas, s.availableReplicas, s.unavailableReplicas, s.collisionCount ?? 0, conds];
}
