// A tiny in-memory Store for unit tests of the layers above storage (a test fake: the real
// implementations are tested by the storage conformance suite). Keeps every event, so lists at a
// past revision and watches from one work until compact().
import { NodeletError, ErrorCode } from '../../../src/base/errors.js';
import type { KeyValue, ListOptions, ListResult, Store, WatchEvent, WatchOptions } from '../../../src/apiserver/storage/store.js';

export class MemoryStore implements Store {
  private revision = 0;
  private compacted = 0;
  private readonly events: WatchEvent[] = [];
  private readonly listeners = new Set<() => void>();

  private stateAt(revision: number): Map<string, KeyValue> {
    const state = new Map<string, KeyValue>();
    for (const ev of this.events) {
      if (ev.kv.modRevision > revision) break;
      if (ev.type === 'PUT') state.set(ev.kv.key, ev.kv);
      else state.delete(ev.kv.key);
    }
    return state;
  }

  private latest(key: string): KeyValue | undefined {
    return this.stateAt(this.revision).get(key);
  }

  private append(ev: WatchEvent): KeyValue {
    this.events.push(ev);
    for (const l of this.listeners) l();
    return ev.kv;
  }

  get(key: string): Promise<KeyValue | undefined> {
    return Promise.resolve(this.latest(key));
  }

  list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const revision = opts.revision !== undefined && opts.revision > 0 ? opts.revision : this.revision;
    if (revision < this.compacted) return Promise.reject(new NodeletError(ErrorCode.Gone, `revision ${revision} is compacted`));
    const items = [...this.stateAt(revision).values()]
      .filter((kv) => kv.key.startsWith(prefix) && (opts.startAfter === undefined || kv.key > opts.startAfter))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    const limit = opts.limit ?? 0;
    const more = limit > 0 && items.length > limit;
    return Promise.resolve({ items: more ? items.slice(0, limit) : items, revision, more });
  }

  create(key: string, value: string): Promise<KeyValue> {
    if (this.latest(key) !== undefined) return Promise.reject(new NodeletError(ErrorCode.AlreadyExists, `${key} exists`));
    const rev = ++this.revision;
    return Promise.resolve(this.append({ type: 'PUT', kv: { key, value, createRevision: rev, modRevision: rev } }));
  }

  update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    const cur = this.latest(key);
    if (cur === undefined) return Promise.reject(new NodeletError(ErrorCode.NotFound, `${key} not found`));
    if (cur.modRevision !== expectedRevision) return Promise.reject(new NodeletError(ErrorCode.Conflict, `${key} changed`));
    const rev = ++this.revision;
    return Promise.resolve(this.append({ type: 'PUT', kv: { key, value, createRevision: cur.createRevision, modRevision: rev }, prevKv: cur }));
  }

  delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    const cur = this.latest(key);
    if (cur === undefined) return Promise.reject(new NodeletError(ErrorCode.NotFound, `${key} not found`));
    if (expectedRevision !== undefined && cur.modRevision !== expectedRevision) return Promise.reject(new NodeletError(ErrorCode.Conflict, `${key} changed`));
    const rev = ++this.revision;
    return Promise.resolve(this.append({ type: 'DELETE', kv: { ...cur, modRevision: rev }, prevKv: cur }));
  }

  currentRevision(): Promise<number> {
    return Promise.resolve(this.revision);
  }

  compactedRevision(): Promise<number> {
    return Promise.resolve(this.compacted);
  }

  compact(revision: number): Promise<void> {
    this.compacted = Math.max(this.compacted, revision);
    return Promise.resolve();
  }

  async *watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    if (opts.afterRevision < this.compacted) throw new NodeletError(ErrorCode.Gone, 'compacted');
    let next = opts.afterRevision;
    while (!opts.signal.aborted) {
      const pending = this.events.filter((e) => e.kv.modRevision > next && e.kv.key.startsWith(prefix));
      for (const ev of pending) {
        next = ev.kv.modRevision;
        yield ev;
      }
      next = Math.max(next, this.revision);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.listeners.delete(wake);
          opts.signal.removeEventListener('abort', wake);
          resolve();
        };
        this.listeners.add(wake);
        opts.signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  dispose(): void {}
}
