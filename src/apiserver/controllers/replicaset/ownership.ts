// Adoption and release of dependents by a controller, as upstream's ControllerRefManager
// (pkg/controller/controller_ref_manager.go): a controller owns the objects whose controller
// reference is its uid, adopts matching orphans, releases owned objects that stopped matching.
// The decision is pure; the patches are JSON patches guarded by the dependent's uid and
// resourceVersion, so a stale cache makes the patch fail (and the key retry), never misapply.
import type { KubeClient } from '../../../api/client/types.js';
import type { JsonValue, KubeObject, OwnerReference } from '../../../api/object.js';
import { ownerRefsOf } from './pods.js';

export type Claim = 'own' | 'adopt' | 'release' | 'ignore';

export interface ClaimInput {
  ownerUid: string;
  ownerDeleting: boolean;
  /** The dependent's owner references. */
  owners: OwnerReference[];
  dependentDeleting: boolean;
  matches: boolean;
}

export function decideClaim(c: ClaimInput): Claim {
  const ctrl = c.owners.find((r) => r.controller === true);
  if (ctrl !== undefined) {
    if (ctrl.uid !== c.ownerUid) return 'ignore';
    if (c.matches) return 'own';
    // An owner being deleted does not release: the garbage collector handles its dependents.
    return c.ownerDeleting ? 'ignore' : 'release';
  }
  if (c.ownerDeleting || !c.matches || c.dependentDeleting) return 'ignore';
  return 'adopt';
}

export interface OwnerIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

export function controllerRef(owner: OwnerIdentity): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true };
}

function guarded(obj: KubeObject, refs: OwnerReference[]): JsonValue[] {
  return [
    { op: 'test', path: '/metadata/uid', value: obj.metadata.uid ?? '' },
    { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion ?? '' },
    { op: 'add', path: '/metadata/ownerReferences', value: refs.map((r) => ({ ...r })) },
  ];
}

/** Adds the owner's controller reference to `obj` (at `path`). */
export async function adopt(client: KubeClient, path: string, obj: KubeObject, owner: OwnerIdentity, signal: AbortSignal): Promise<KubeObject> {
  const refs = [...ownerRefsOf(obj).filter((r) => r.uid !== owner.uid), controllerRef(owner)];
  return client.patch(path, 'json', guarded(obj, refs), { signal });
}

/** Removes the owner's reference from `obj`. */
export async function release(client: KubeClient, path: string, obj: KubeObject, ownerUid: string, signal: AbortSignal): Promise<KubeObject> {
  const refs = ownerRefsOf(obj).filter((r) => r.uid !== ownerUid);
  return client.patch(path, 'json', guarded(obj, refs), { signal });
}
