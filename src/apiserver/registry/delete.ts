// Deletion as upstream's generic registry does it (registry/rest/delete.go, store.go):
//  - preconditions (uid, resourceVersion) -> 409;
//  - pods are deleted gracefully: deletionTimestamp = now + grace and deletionGracePeriodSeconds
//    are set and the pod stays until a DELETE with grace 0 (the node confirming, or --force);
//    a pod never scheduled or already terminated goes at once; a pending grace may only shorten;
//  - finalizers (and the GC's orphan/foregroundDeletion ones that Orphan and Foreground
//    propagation add) keep the object with a deletionTimestamp until they are removed;
//  - namespaces turn Terminating and go once their content is gone (see namespace-lifecycle.ts);
//  - otherwise the key is deleted.
import { isJsonObject, type KubeObject } from '../../api/object.js';
import { numberAt, stringAt } from '../../api/json.js';
import { isNodeletError, ErrorCode } from '../../base/errors.js';
import type { ResourceInfo } from '../resources.js';
import { conflict, forbidden, notFound, toApiError } from '../status.js';
import { parseRevision } from './object-store.js';
import { readyToRemove, rfc3339, type Registry } from './registry.js';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

export interface DeleteResult {
  /** The deleted object, or the object as it now waits for its deletion. */
  object: KubeObject;
  /** The key is gone (false: deletion is pending on a grace period, finalizers or content). */
  deleted: boolean;
}

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';
/** Namespaces that exist for the cluster to work; upstream refuses to delete them. */
const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
const MAX_ATTEMPTS = 8;
const DEFAULT_POD_GRACE_SECONDS = 30;

export async function deleteObject(
  reg: Registry,
  r: ResourceInfo,
  namespace: string,
  name: string,
  opts: DeleteOptions,
): Promise<DeleteResult> {
  for (let attempt = 1; ; attempt++) {
    const current = await reg.get(r, namespace, name);
    checkPreconditions(r, name, current, opts);
    if (r.resource === 'namespaces' && IMMORTAL_NAMESPACES.has(name)) throw forbidden(r, name, 'this namespace may not be deleted');

    const next = plan(reg, r, current, opts);
    if (next === 'pending') return { object: current, deleted: false };
    try {
      if (next === 'remove') {
        if (opts.dryRun) return { object: current, deleted: true };
        const deleted = await reg.objects.delete(r, namespace, name, parseRevision(current.metadata.resourceVersion));
        await reg.hooksFor(r)?.afterDelete(deleted);
        return { object: deleted, deleted: true };
      }
      if (opts.dryRun) return { object: next, deleted: false };
      const stored = await reg.objects.update(r, next, parseRevision(current.metadata.resourceVersion) ?? 0);
      if (readyToRemove(r, stored)) {
        const deleted = await reg.removeNow(r, stored);
        if (deleted !== undefined) return { object: deleted, deleted: true };
      }
      return { object: stored, deleted: false };
    } catch (err) {
      if (isNodeletError(err, ErrorCode.Conflict) && attempt < MAX_ATTEMPTS) continue;
      if (isNodeletError(err, ErrorCode.NotFound)) throw notFound(r, name);
      throw toApiError(err, r, name);
    }
  }
}

function checkPreconditions(r: ResourceInfo, name: string, current: KubeObject, opts: DeleteOptions): void {
  const uid = opts.preconditions?.uid;
  if (uid !== undefined && uid !== '' && uid !== current.metadata.uid) {
    throw conflict(r, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
  }
  const rv = opts.preconditions?.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) {
    throw conflict(
      r,
      name,
      `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`,
    );
  }
}

/** What to do: delete the key, leave it as it is, or store this object (deletion pending). */
function plan(reg: Registry, r: ResourceInfo, current: KubeObject, opts: DeleteOptions): KubeObject | 'remove' | 'pending' {
  const now = reg.clock.now();
  const meta = current.metadata;
  const finalizers = finalizersFor(meta.finalizers ?? [], opts.propagationPolicy);
  const finalizersChanged = !sameSet(finalizers, meta.finalizers ?? []);

  if (r.resource === 'namespaces') {
    if (meta.deletionTimestamp !== undefined) return readyToRemove(r, current) ? 'remove' : 'pending';
    const next = withMeta(current, { deletionTimestamp: rfc3339(now), deletionGracePeriodSeconds: 0, finalizers });
    const status = isJsonObject(next.status) ? next.status : {};
    next.status = { ...status, phase: 'Terminating' };
    return next;
  }

  if (meta.deletionTimestamp !== undefined) {
    const pendingGrace = meta.deletionGracePeriodSeconds ?? 0;
    if (pendingGrace > 0) {
      // A grace period runs: only a shorter one may replace it.
      const requested = opts.gracePeriodSeconds;
      if (requested === undefined || Math.max(0, requested) >= pendingGrace) return 'pending';
      const grace = Math.max(0, requested);
      const started = Date.parse(meta.deletionTimestamp) - pendingGrace * 1000;
      const next = withMeta(current, { deletionTimestamp: rfc3339(started + grace * 1000), deletionGracePeriodSeconds: grace, finalizers });
      return grace === 0 && finalizers.length === 0 ? 'remove' : next;
    }
    if (finalizers.length > 0) return finalizersChanged ? withMeta(current, { finalizers }) : 'pending';
    return 'remove';
  }

  const grace = gracePeriodFor(r, current, opts.gracePeriodSeconds);
  if (grace > 0) {
    const next = withMeta(current, { deletionTimestamp: rfc3339(now + grace * 1000), deletionGracePeriodSeconds: grace, finalizers });
    if (meta.generation !== undefined && meta.generation > 0) next.metadata.generation = meta.generation + 1;
    return next;
  }
  if (finalizers.length > 0) return withMeta(current, { deletionTimestamp: rfc3339(now), deletionGracePeriodSeconds: 0, finalizers });
  return 'remove';
}

/** Pods only: the requested grace, else spec.terminationGracePeriodSeconds; 0 when unscheduled or terminated. */
export function gracePeriodFor(r: ResourceInfo, obj: KubeObject, requested: number | undefined): number {
  if (r.resource !== 'pods') return 0;
  const spec = isJsonObject(obj.spec) ? obj.spec : undefined;
  let period = requested ?? numberAt(spec, 'terminationGracePeriodSeconds') ?? DEFAULT_POD_GRACE_SECONDS;
  if ((stringAt(spec, 'nodeName') ?? '') === '') period = 0;
  const phase = stringAt(isJsonObject(obj.status) ? obj.status : undefined, 'phase');
  if (phase === 'Succeeded' || phase === 'Failed') period = 0;
  return period < 0 ? 1 : Math.floor(period);
}

/** The object's finalizers with the GC's adjusted for the propagation policy (none given: kept). */
export function finalizersFor(existing: readonly string[], policy: PropagationPolicy | undefined): string[] {
  if (policy === undefined) return [...existing];
  const out = existing.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (policy === 'Orphan') out.push(FINALIZER_ORPHAN);
  if (policy === 'Foreground') out.push(FINALIZER_FOREGROUND);
  return out;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function withMeta(obj: KubeObject, changes: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number; finalizers: string[] }): KubeObject {
  const next = structuredClone(obj);
  if (changes.deletionTimestamp !== undefined) next.metadata.deletionTimestamp = changes.deletionTimestamp;
  if (changes.deletionGracePeriodSeconds !== undefined) next.metadata.deletionGracePeriodSeconds = changes.deletionGracePeriodSeconds;
  if (changes.finalizers.length > 0) next.metadata.finalizers = changes.finalizers;
  else delete next.metadata.finalizers;
  return next;
}
