// The Store seam: a versioned key-value store with one global revision, as etcd's model.
// The apiserver keeps each object as JSON under /registry/<resource>/<namespace>/<name>; the
// revision at which a key was last written is the object's resourceVersion. SQLite and etcd
// both implement this contract and pass the same conformance tests.
import type { Disposable } from '../../base/lifecycle.js';

export interface KeyValue {
  key: string;
  /** The stored bytes (JSON text of the object, resourceVersion not included). */
  value: string;
  /** Revision of the write that created the key (etcd create_revision). */
  createRevision: number;
  /** Revision of the last write of the key (etcd mod_revision): the resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** Read as of this revision (0 or unset: latest). Gone when older than the compacted revision. */
  revision?: number;
  /** At most this many items (0 or unset: all). */
  limit?: number;
  /** Start after this key (exclusive): the continue token of the previous page. */
  startAfter?: string;
  signal?: AbortSignal;
}

export interface ListResult {
  items: KeyValue[];
  /** The store revision the list reflects; the next page must pass it as `revision`. */
  revision: number;
  /** More items exist after the last one returned. */
  more: boolean;
}

export type WatchEventType = 'PUT' | 'DELETE';

export interface WatchEvent {
  type: WatchEventType;
  /** For PUT: the new value; for DELETE: the key with the deletion's revision as modRevision and the last value. */
  kv: KeyValue;
  /** For PUT of an existing key and for DELETE: the value before this event. */
  prevKv?: KeyValue;
}

export interface WatchOptions {
  /** Deliver every event with revision > afterRevision. Gone when afterRevision < compacted revision. */
  afterRevision: number;
  /** The watch ends (the iterable returns) when this aborts. */
  signal: AbortSignal;
}

export interface Store extends Disposable {
  /** Undefined when the key does not exist. */
  get(key: string, opts?: { signal?: AbortSignal }): Promise<KeyValue | undefined>;
  /** Keys with this prefix in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** AlreadyExists when the key exists. */
  create(key: string, value: string): Promise<KeyValue>;
  /**
   * Writes only if the key's modRevision is still `expectedRevision`: Conflict otherwise,
   * NotFound when the key is gone.
   */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /**
   * Deletes; with `expectedRevision`, only if unchanged (Conflict otherwise). NotFound when absent.
   * Returns the deleted value with the deletion's revision as modRevision.
   */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  /** The latest revision of the whole store. */
  currentRevision(): Promise<number>;
  /** The oldest revision still readable and watchable (history before it is compacted). */
  compactedRevision(): Promise<number>;
  /**
   * Events for keys with this prefix, in revision order, none lost or repeated, starting after
   * `afterRevision`. Throws Gone (before yielding) when that history was compacted away.
   */
  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent>;
  /** Drops history at or before `revision` (current values stay). */
  compact(revision: number): Promise<void>;
}
