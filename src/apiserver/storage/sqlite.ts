// The Store on embedded SQLite (node:sqlite, built into Node 24: no native addon to build).
//
// One process owns the database (schema.ts takes an exclusive lock), so this process sees every
// write: watch is an in-process fan-out (watch-hub.ts) fed right after each commit, and history
// for watches from an older revision and for reads at an older revision comes from the event log.
// All SQL runs synchronously on the event loop; statements are prepared once, and writes are
// group-committed (one transaction and one fsync per loop turn, group-commit.ts).
//
// Gone rules (the same as etcd's): compact(C) keeps the state at C readable; list at a revision
// below C and watch after a revision below C are Gone.
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { systemClock, type Clock } from '../../base/clock.js';
import { ErrorCode, NodeletError, errorMessage } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import { Compactor, type CompactionOptions } from './compactor.js';
import { GroupCommit, type Applied } from './sqlite/group-commit.js';
import { openDatabase, sqliteError } from './sqlite/schema.js';
import { EVENT_DELETE, EVENT_PUT, Statements, toWatchEvent, type RangeQuery } from './sqlite/statements.js';
import { checkKey, checkRevision, futureRevisionError, goneError, prefixEndString } from './keys.js';
import type { KeyValue, ListOptions, ListResult, Store, WatchEvent, WatchOptions } from './store.js';
import { WatchHub, DEFAULT_WATCH_BUFFER } from './watch-hub.js';
import type { DatabaseSync } from 'node:sqlite';

export interface SqliteStoreOptions {
  /** The database file (see sqliteFile); created with its directory when missing. */
  file: string;
  /** Automatic compaction (default: every 5 minutes); false: only explicit compact() calls. */
  compaction?: CompactionOptions | false;
  /** Undelivered events one watcher may hold before it is ended as too slow (watch-hub.ts). */
  watchBufferLimit?: number;
  clock?: Clock;
  log?: Logger;
}

/** Where the apiserver keeps its database inside its data directory. */
export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'storage.db');
}

/** Events read from the log per step of a watch replay. */
const REPLAY_PAGE = 1000;
/** Events deleted per transaction while compacting, so writers get turns in between. */
const PURGE_CHUNK = 2000;

function cancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new NodeletError(ErrorCode.Cancelled, 'storage request cancelled', { cause: signal.reason });
}

export class SqliteStore implements Store {
  private readonly db: DatabaseSync;
  private readonly sql: Statements;
  private readonly hub: WatchHub;
  private readonly writes: GroupCommit;
  private readonly compactor: Compactor | undefined;
  private revision: number;
  private compacted: number;
  private purging: Promise<void> | undefined;
  private closed = false;

  /** Opens (or creates) the database; throws FailedPrecondition when another process has it. */
  constructor(private readonly opts: SqliteStoreOptions) {
    this.db = openDatabase(opts.file);
    this.sql = new Statements(this.db);
    this.revision = this.sql.getMeta('revision');
    this.compacted = this.sql.getMeta('compacted');
    this.hub = new WatchHub(opts.watchBufferLimit ?? DEFAULT_WATCH_BUFFER);
    this.writes = new GroupCommit({
      db: this.db,
      revision: () => this.revision,
      saveRevision: (rev) => this.sql.setMeta('revision', rev),
      committed: (rev, events) => {
        this.revision = rev;
        this.hub.publish(events);
      },
      failure: (err) => sqliteError('storage write failed', opts.file, err),
    });
    if (opts.compaction !== false) {
      this.compactor = new Compactor({ store: this, clock: opts.clock ?? systemClock, log: opts.log }, opts.compaction ?? {});
      this.compactor.start();
    }
    // A compaction interrupted by a crash left rows at or before `compacted`: finish it.
    void this.purge();
  }

  get(key: string, opts?: { signal?: AbortSignal }): Promise<KeyValue | undefined> {
    return this.read(opts?.signal, () => {
      checkKey(key);
      return this.sql.get(key);
    });
  }

  list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    return this.read(opts.signal, () => {
      const requested = opts.revision ?? 0;
      checkRevision('list revision', requested);
      const limit = opts.limit ?? 0;
      checkRevision('list limit', limit);
      const revision = requested === 0 ? this.revision : requested;
      if (revision > this.revision) throw futureRevisionError(revision, this.revision);
      if (revision < this.compacted) throw goneError('list', revision, this.compacted);
      const q: RangeQuery = {
        start: prefix,
        after: opts.startAfter ?? '',
        end: prefixEndString(prefix),
        limit: limit > 0 ? limit + 1 : -1,
      };
      const rows = revision === this.revision ? this.sql.listLatest(q) : this.sql.listAt(q, revision);
      const more = limit > 0 && rows.length > limit;
      return { items: more ? rows.slice(0, limit) : rows, revision, more };
    });
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.write(key, (rev) => {
      const existing = this.sql.get(key);
      if (existing) throw new NodeletError(ErrorCode.AlreadyExists, `${key} already exists (revision ${existing.modRevision})`);
      const kv: KeyValue = { key, value, createRevision: rev, modRevision: rev };
      return this.apply(kv, EVENT_PUT, undefined);
    });
  }

  update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return this.write(key, (rev) => {
      const prev = this.current(key, expectedRevision);
      const kv: KeyValue = { key, value, createRevision: prev.createRevision, modRevision: rev };
      return this.apply(kv, EVENT_PUT, prev);
    }, expectedRevision);
  }

  delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.write(key, (rev) => {
      const prev = this.current(key, expectedRevision);
      const kv: KeyValue = { key, value: prev.value, createRevision: prev.createRevision, modRevision: rev };
      return this.apply(kv, EVENT_DELETE, prev);
    }, expectedRevision);
  }

  currentRevision(): Promise<number> {
    return this.read(undefined, () => this.revision);
  }

  compactedRevision(): Promise<number> {
    return this.read(undefined, () => this.compacted);
  }

  /** Marks `revision` compacted at once (reads and watches below it are Gone from then on), then deletes the old events in chunks. */
  async compact(revision: number): Promise<void> {
    await this.read(undefined, () => {
      checkRevision('compact revision', revision);
      if (revision > this.revision) throw futureRevisionError(revision, this.revision);
      if (revision <= this.compacted) return;
      this.sql.setMeta('compacted', revision);
      this.compacted = revision;
    });
    await this.purge();
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    return this.watchEvents(prefix, opts);
  }

  async dispose(): Promise<void> {
    if (this.closed) return;
    await this.compactor?.dispose();
    this.writes.flush(); // writes already submitted are committed, not dropped
    this.closed = true;
    this.hub.closeAll();
    await this.purging;
    this.db.close();
  }

  private async *watchEvents(prefix: string, opts: WatchOptions): AsyncGenerator<WatchEvent> {
    const { afterRevision, signal } = opts;
    this.check();
    checkRevision('watch revision', afterRevision);
    if (afterRevision < this.compacted) throw goneError('watch', afterRevision, this.compacted);
    if (signal.aborted) return;
    // Subscribing and reading the committed revision happen in one synchronous step, so the
    // live queue starts exactly after `replayTo`: no gap and no duplicate between the two.
    const sub = this.hub.subscribe(prefix);
    const replayTo = this.revision;
    const onAbort = (): void => sub.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const range: RangeQuery = { start: prefix, after: '', end: prefixEndString(prefix), limit: REPLAY_PAGE };
      let cursor = afterRevision;
      while (cursor < replayTo) {
        if (signal.aborted || this.closed) return;
        // Compaction may have overtaken a slow replay: the events after `cursor` could be gone.
        if (cursor < this.compacted) throw goneError('watch', cursor, this.compacted);
        const page = this.sql.replay(range, cursor, replayTo);
        cursor = page.length < REPLAY_PAGE ? replayTo : (page[page.length - 1]?.revision ?? replayTo);
        for (const row of page) {
          if (signal.aborted) return;
          yield toWatchEvent(row);
        }
      }
      for (;;) {
        const ev = await sub.queue.next();
        if (ev === undefined || signal.aborted) return;
        // Only a watch from a revision the store has not reached yet sees events at or before it.
        if (ev.kv.modRevision > afterRevision) yield ev;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      sub.close();
    }
  }

  /** The key's current value, checked against the expected revision (Conflict, NotFound). */
  private current(key: string, expectedRevision: number | undefined): KeyValue {
    const prev = this.sql.get(key);
    if (!prev) throw new NodeletError(ErrorCode.NotFound, `${key} not found`);
    if (expectedRevision !== undefined && prev.modRevision !== expectedRevision) {
      throw new NodeletError(ErrorCode.Conflict, `${key} was modified: expected revision ${expectedRevision}, it is at ${prev.modRevision}`);
    }
    return prev;
  }

  /** Writes the key's new state and its event; runs inside a group-commit transaction. */
  private apply(kv: KeyValue, type: number, prev: KeyValue | undefined): Applied {
    this.sql.insertEvent({
      revision: kv.modRevision,
      key: kv.key,
      type,
      value: type === EVENT_PUT ? kv.value : null,
      createRevision: kv.createRevision,
      prevValue: prev?.value ?? null,
      prevModRevision: prev?.modRevision ?? null,
    });
    if (type === EVENT_PUT) this.sql.put(kv);
    else this.sql.deleteKey(kv.key);
    const event: WatchEvent = Object.freeze({
      type: type === EVENT_PUT ? 'PUT' : 'DELETE',
      kv: Object.freeze({ ...kv }),
      ...(prev ? { prevKv: Object.freeze({ ...prev }) } : {}),
    });
    return { result: kv, event };
  }

  private write(key: string, mutate: (rev: number) => Applied, expectedRevision?: number): Promise<KeyValue> {
    try {
      this.check();
      checkKey(key);
      if (expectedRevision !== undefined && (!Number.isSafeInteger(expectedRevision) || expectedRevision <= 0)) {
        throw new NodeletError(ErrorCode.InvalidArgument, `expected revision must be a positive whole number, got ${expectedRevision}`);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.writes.submit(mutate);
  }

  private read<T>(signal: AbortSignal | undefined, fn: () => T): Promise<T> {
    try {
      this.check();
      cancelled(signal);
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(sqliteError('storage read failed', this.opts.file, err));
    }
  }

  private check(): void {
    if (this.closed) throw new NodeletError(ErrorCode.Unavailable, 'the storage is closed (the apiserver is shutting down)');
  }

  /**
   * Deletes compacted events in chunks, one transaction each, yielding to writers between. Runs
   * are chained, so a compaction during a purge gets a full run of its own.
   */
  private purge(): Promise<void> {
    const run = (this.purging ?? Promise.resolve()).then(() => this.purgeRun());
    this.purging = run;
    return run;
  }

  private async purgeRun(): Promise<void> {
    try {
      for (;;) {
        if (this.closed) return;
        const oldest = this.sql.oldestEvent();
        if (oldest === undefined || oldest > this.compacted) return;
        this.sql.purge(Math.min(this.compacted, oldest + PURGE_CHUNK - 1));
        await nextTurn();
      }
    } catch (err) {
      this.opts.log?.warn('deleting compacted storage history failed; the next compaction retries', { error: errorMessage(err) });
    }
  }
}
