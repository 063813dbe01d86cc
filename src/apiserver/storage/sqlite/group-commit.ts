// Group commit: writes that arrive while the event loop is busy go into one transaction, so one
// fsync acknowledges all of them. Each write is a function run inside the transaction with the
// revision it would get; it either returns its result and event, or throws a NodeletError
// (AlreadyExists, Conflict, NotFound) before touching the database, which fails that write only.
// Anything else (a disk error) rolls the whole batch back and fails every write in it.
//
// Order: a write's promise settles only after COMMIT returned, and watchers get the batch's
// events synchronously right after the commit, before any promise callback runs.
import { setImmediate } from 'node:timers';
import type { DatabaseSync } from 'node:sqlite';
import { NodeletError } from '../../../base/errors.js';
import type { KeyValue, WatchEvent } from '../store.js';

export interface Applied {
  result: KeyValue;
  event: WatchEvent;
}

/** Runs inside the transaction; `revision` is the one this write gets if it succeeds. */
export type Mutation = (revision: number) => Applied;

interface Pending {
  mutate: Mutation;
  resolve: (kv: KeyValue) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitDeps {
  db: DatabaseSync;
  /** The last committed revision. */
  revision(): number;
  /** Persists the revision counter (inside the transaction). */
  saveRevision(revision: number): void;
  /** After COMMIT: the new revision and the batch's events, in revision order. */
  committed(revision: number, events: WatchEvent[]): void;
  /** A failure that is not the write's own (a disk error) as the error to report. */
  failure(err: unknown): unknown;
}

/** Upper bound of writes per transaction, so one batch cannot hold the loop for long. */
const MAX_BATCH = 500;

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly deps: GroupCommitDeps) {}

  /** Queues a write for the next batch. */
  submit(mutate: Mutation): Promise<KeyValue> {
    return new Promise<KeyValue>((resolve, reject) => {
      this.queue.push({ mutate, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: writes whose requests were read in the same poll
        // phase of the loop join one batch.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now (also used at shutdown). */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.commit(batch);
    }
  }

  private commit(batch: Pending[]): void {
    const { db } = this.deps;
    const start = this.deps.revision();
    let revision = start;
    const outcomes: ({ ok: KeyValue } | { err: unknown })[] = [];
    const events: WatchEvent[] = [];
    try {
      db.exec('BEGIN');
      for (const p of batch) {
        try {
          const applied = p.mutate(revision + 1);
          revision++;
          outcomes.push({ ok: applied.result });
          events.push(applied.event);
        } catch (err) {
          if (!(err instanceof NodeletError)) throw err;
          outcomes.push({ err });
        }
      }
      if (revision !== start) this.deps.saveRevision(revision);
      db.exec('COMMIT');
    } catch (err) {
      if (db.isTransaction) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // The commit error is the one to report.
        }
      }
      const failure = this.deps.failure(err);
      for (const p of batch) p.reject(failure);
      return;
    }
    if (revision !== start) this.deps.committed(revision, events);
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o !== undefined && 'ok' in o) p.resolve(o.ok);
      else p.reject(o?.err);
    });
  }
}
