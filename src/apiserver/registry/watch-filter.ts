// From Store events to API watch events for one watcher's selection, as upstream's cacheWatcher
// (convertToWatchEvent) does: an object entering the selection is ADDED, one leaving it is
// DELETED (its previous state, at the event's resourceVersion), one staying in it is MODIFIED.
import type { JsonObject, KubeObject } from '../../api/object.js';
import type { WatchEvent as StoreEvent } from '../storage/store.js';
import { decodeObject } from './object-store.js';

export type ApiWatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ApiWatchEvent {
  type: ApiWatchEventType;
  object: KubeObject;
}

/** Undefined when the event is invisible to this watcher. */
export function toApiWatchEvent(ev: StoreEvent, matches: (obj: KubeObject) => boolean): ApiWatchEvent | undefined {
  if (ev.type === 'DELETE') {
    // kv holds the last value with the deletion's revision.
    const last = decodeObject(ev.kv);
    return matches(last) ? { type: 'DELETED', object: last } : undefined;
  }
  const cur = decodeObject(ev.kv);
  const curPasses = matches(cur);
  if (ev.prevKv === undefined) return curPasses ? { type: 'ADDED', object: cur } : undefined;
  const prev = decodeObject(ev.prevKv);
  const prevPasses = matches(prev);
  if (curPasses && prevPasses) return { type: 'MODIFIED', object: cur };
  if (curPasses) return { type: 'ADDED', object: cur };
  if (prevPasses) {
    prev.metadata.resourceVersion = String(ev.kv.modRevision);
    return { type: 'DELETED', object: prev };
  }
  return undefined;
}

/** A BOOKMARK's object: only the kind and the resourceVersion the watch has reached. */
export function bookmarkObject(apiVersion: string, kind: string, revision: number, initialEventsEnd = false): JsonObject {
  const metadata: JsonObject = { resourceVersion: String(revision) };
  if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return { kind, apiVersion, metadata };
}
