// The Store seam: a versioned key-value store with one global revision, as etcd's model.
// The apiserver keeps each object as JSON under /registry/<resource>/<namespace>/<name>; the
// revision at which a key was last written is the object's resourceVersion. SQLite and etcd
// both implement this contract and pass the same conformance tests
// (test/integration/storage/conformance.ts).
//
// Keys start with '/' and contain no NUL. Errors are NodeletErrors: besides the codes named
// below, Unavailable when the backend cannot be reached or the store is closed, Cancelled when
// a signal aborts a request, InvalidArgument for a malformed key or revision.
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
  /**
   * Read as of this revision (0 or unset: latest). Gone when older than the compacted revision;
   * InvalidArgument when newer than the current one.
   */
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
  /**
   * Deliver every event with revision > afterRevision (which may be ahead of the store: the watch
   * then waits). Gone when afterRevision < compacted revision.
   */
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
  /**
   * The compacted revision C: list at C and watch after C work, older ones are Gone (0: nothing
   * compacted). etcd only tells this store about its own compactions and those it detects.
   */
  compactedRevision(): Promise<number>;
  /**
   * Events for keys with this prefix, in revision order, none lost or repeated, starting after
   * `afterRevision`. Nothing happens until the first `next()`; that call rejects with Gone when
   * the history was compacted away. A watch may also end with an error later: Gone (it fell
   * behind compaction), ResourceExhausted (SQLite: it fell too far behind live writes, see
   * watch-hub.ts), Unavailable (etcd: the connection was lost and could not be resumed). Events
   * delivered before such an error are correct, so the caller may watch again from the last
   * revision it saw, or list again when that is Gone. It returns (no error) when the signal
   * aborts or the store is disposed.
   */
  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent>;
  /**
   * Drops the events at or before `revision`; the state at `revision` and current values stay
   * readable. A revision at or below the compacted one is a no-op; one above the current
   * revision is InvalidArgument.
   */
  compact(revision: number): Promise<void>;
}
