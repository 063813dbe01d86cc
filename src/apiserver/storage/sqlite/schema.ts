// Opening the SQLite database: durability settings, the schema, and the single-process lock.
//
// Tables:
//   kv      the current value of every live key (etcd's "latest revision" view)
//   events  one row per write, by revision: what watchers replay and what reads at an older
//           revision undo; PUT rows keep the new value, both kinds keep the value before
//   meta    'revision' (the global counter, so it continues after deletes and compaction) and
//           'compacted' (history at or before it may be gone)
import { DatabaseSync } from 'node:sqlite';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, NodeletError, errorMessage } from '../../../base/errors.js';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  create_revision INTEGER NOT NULL,
  mod_revision INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  revision INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  type INTEGER NOT NULL,            -- 0 PUT, 1 DELETE
  value TEXT,                       -- PUT: the new value; DELETE: NULL
  create_revision INTEGER NOT NULL, -- of the key this event belongs to
  prev_value TEXT,                  -- NULL when the event created the key
  prev_mod_revision INTEGER
);
CREATE INDEX IF NOT EXISTS events_by_key ON events (key, revision);
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (name, value) VALUES ('schema', ${SCHEMA_VERSION}), ('revision', 0), ('compacted', 0);
`;

/** SQLite's primary result code for "another connection holds the lock". */
const SQLITE_BUSY = 5;

function sqliteErrcode(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'errcode' in err && typeof err.errcode === 'number') {
    return err.errcode & 0xff;
  }
  return undefined;
}

/** A SQLite failure as a NodeletError: a held lock is FailedPrecondition, the rest Internal. */
export function sqliteError(what: string, file: string, err: unknown): NodeletError {
  if (err instanceof NodeletError) return err;
  if (sqliteErrcode(err) === SQLITE_BUSY) {
    return new NodeletError(
      ErrorCode.FailedPrecondition,
      `${what}: the database ${file} is in use by another process; run one apiserver per data directory`,
      { cause: err },
    );
  }
  return new NodeletError(ErrorCode.Internal, `${what} (${file}): ${errorMessage(err)}`, { cause: err });
}

/**
 * Opens (creating when missing) the database at `file`. New files and their directory are
 * private to the user: the store holds Secrets.
 *
 * Durability: WAL with synchronous=FULL fsyncs the log at every commit, so a write acknowledged
 * after COMMIT survives kill -9 and power loss. locking_mode=EXCLUSIVE keeps the lock for the
 * connection's lifetime: a second process on the same file fails at open instead of writing
 * behind this process's watchers (the lock dies with the process, also on kill -9).
 */
export function openDatabase(file: string): DatabaseSync {
  let db: DatabaseSync | undefined;
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // An empty file is a valid empty database; creating it here sets its mode (the WAL copies it).
    closeSync(openSync(file, 'a', 0o600));
    db = new DatabaseSync(file);
    db.exec('PRAGMA busy_timeout = 0');
    // Exclusive before WAL: the WAL index then lives in process memory (no -shm file to share).
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    const mode = db.prepare('PRAGMA journal_mode = WAL').get();
    if (mode?.['journal_mode'] !== 'wal') {
      throw new NodeletError(ErrorCode.Internal, `SQLite refused WAL journal mode (got ${JSON.stringify(mode)})`);
    }
    db.exec('PRAGMA synchronous = FULL');
    // Keep the WAL file from staying large after a burst; checkpoints still happen every 1000 pages.
    db.exec('PRAGMA journal_size_limit = 67108864');
    db.exec('PRAGMA cache_size = -32000');
    // The schema is written in a transaction, which also takes the exclusive lock now.
    db.exec('BEGIN IMMEDIATE');
    db.exec(SCHEMA);
    db.exec('COMMIT');
    const version = db.prepare(`SELECT value FROM meta WHERE name = 'schema'`).get()?.['value'];
    if (version !== SCHEMA_VERSION) {
      throw new NodeletError(
        ErrorCode.FailedPrecondition,
        `${file} has storage schema ${String(version)}, this nodelet knows ${SCHEMA_VERSION}; use a matching nodelet version`,
      );
    }
    return db;
  } catch (err) {
    try {
      db?.close();
    } catch {
      // Already failing; the open error is the one to report.
    }
    throw sqliteError('cannot open the storage database', file, err);
  }
}
