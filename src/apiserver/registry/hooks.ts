// Seams of the registry: per-kind side effects of writes (Service IP and port allocation) and
// the defaulting/validation step. Both are interfaces so the registry is testable without them.
import type { KubeObject } from '../../api/object.js';
import type { ResourceInfo } from '../resources.js';
import type { StatusCause } from '../status.js';

export type Undo = () => Promise<void>;

export const noUndo: Undo = () => Promise.resolve();

/**
 * Side effects tied to a kind's writes, run before defaulting and validation (as upstream's
 * BeginCreate/BeginUpdate). Each `before*` may mutate the object (fill allocated
 * values) and throws an ApiError to refuse; it returns how to undo its effect when the write
 * does not happen (failed, conflicted, or dry run).
 */
export interface ObjectHooks {
  beforeCreate(obj: KubeObject, dryRun: boolean): Promise<Undo>;
  /** `commit` runs after a successful write (e.g. to release what the old object held). */
  beforeUpdate(next: KubeObject, old: KubeObject, dryRun: boolean): Promise<{ undo: Undo; commit: Undo }>;
  /** After the object left the store. Must not throw (failures are logged and repaired later). */
  afterDelete(obj: KubeObject): Promise<void>;
}

/** Server-side defaulting and validation (src/apiserver/defaults, src/apiserver/validation). */
export interface ObjectAdmission {
  /** Fills defaults in place, as upstream's defaulting functions do. */
  applyDefaults(r: ResourceInfo, obj: KubeObject): void;
  /** Problems with the object (empty when valid); `old` for updates, to check immutable fields. */
  validate(r: ResourceInfo, obj: KubeObject, old?: KubeObject): StatusCause[];
  /** The Invalid message for these causes, as upstream words it. */
  invalidMessage(r: ResourceInfo, name: string, causes: StatusCause[]): string;
}
