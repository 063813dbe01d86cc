// Every SQL statement the SQLite store runs, prepared once, with typed row readers.
//
// Reads at an older revision R reconstruct the state from the event log: a key whose first event
// after R exists was, at R, what that event replaced (its prev_value, or absent when the event
// created it); any other key is as in `kv`. Both halves come out in key order and SQLite merges
// them under LIMIT, so a page costs about its size plus the events after R that sort before its
// last key, never a pass over the whole history.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import { ErrorCode, NodeletError } from '../../../base/errors.js';
import type { KeyValue, WatchEvent } from '../store.js';

export const EVENT_PUT = 0;
export const EVENT_DELETE = 1;

type Row = Record<string, SQLOutputValue>;

export interface EventRow {
  revision: number;
  key: string;
  type: number;
  value: string | null;
  createRevision: number;
  prevValue: string | null;
  prevModRevision: number | null;
}

function num(row: Row, col: string): number {
  const v = row[col];
  if (typeof v === 'number') return v;
  throw new NodeletError(ErrorCode.Internal, `storage database: column ${col} is not a number (${String(v)})`);
}

function str(row: Row, col: string): string {
  const v = row[col];
  if (typeof v === 'string') return v;
  throw new NodeletError(ErrorCode.Internal, `storage database: column ${col} is not text`);
}

function strOrNull(row: Row, col: string): string | null {
  const v = row[col];
  return v === null || v === undefined ? null : str(row, col);
}

function numOrNull(row: Row, col: string): number | null {
  const v = row[col];
  return v === null || v === undefined ? null : num(row, col);
}

export function rowToKeyValue(row: Row): KeyValue {
  return { key: str(row, 'key'), value: str(row, 'value'), createRevision: num(row, 'create_revision'), modRevision: num(row, 'mod_revision') };
}

export function rowToEvent(row: Row): EventRow {
  return {
    revision: num(row, 'revision'),
    key: str(row, 'key'),
    type: num(row, 'type'),
    value: strOrNull(row, 'value'),
    createRevision: num(row, 'create_revision'),
    prevValue: strOrNull(row, 'prev_value'),
    prevModRevision: numOrNull(row, 'prev_mod_revision'),
  };
}

/** The watch event an event row describes (frozen: one object goes to every watcher). */
export function toWatchEvent(e: EventRow): WatchEvent {
  const prevKv: KeyValue | undefined =
    e.prevValue === null ? undefined : Object.freeze({ key: e.key, value: e.prevValue, createRevision: e.createRevision, modRevision: e.prevModRevision ?? 0 });
  if (e.type === EVENT_DELETE) {
    const kv = Object.freeze({ key: e.key, value: e.prevValue ?? '', createRevision: e.createRevision, modRevision: e.revision });
    return Object.freeze({ type: 'DELETE', kv, ...(prevKv ? { prevKv } : {}) });
  }
  const kv = Object.freeze({ key: e.key, value: e.value ?? '', createRevision: e.createRevision, modRevision: e.revision });
  return Object.freeze({ type: 'PUT', kv, ...(prevKv ? { prevKv } : {}) });
}

const KV_COLS = 'key, value, create_revision, mod_revision';
const EVENT_COLS = 'revision, key, type, value, create_revision, prev_value, prev_mod_revision';

// Range conditions: `:start` is the prefix, `:after` the exclusive continue position ('' for
// none, which every key sorts after), `:end` the prefix end (absent: unbounded variant).
const RANGE_KV = (end: boolean): string => `k.key >= :start AND k.key > :after${end ? ' AND k.key < :end' : ''}`;
const RANGE_EV = (alias: string, end: boolean): string => `${alias}.key >= :start AND ${alias}.key > :after${end ? ` AND ${alias}.key < :end` : ''}`;

function listLatestSql(end: boolean): string {
  return `SELECT ${KV_COLS} FROM kv k WHERE ${RANGE_KV(end)} ORDER BY k.key LIMIT :limit`;
}

function listAtSql(end: boolean): string {
  return `
    SELECT key, value, create_revision, mod_revision FROM (
      SELECT k.key AS key, k.value AS value, k.create_revision AS create_revision, k.mod_revision AS mod_revision
        FROM kv k
       WHERE ${RANGE_KV(end)}
         AND NOT EXISTS (SELECT 1 FROM events x WHERE x.key = k.key AND x.revision > :rev)
      UNION ALL
      SELECT e.key, e.prev_value, e.create_revision, e.prev_mod_revision
        FROM events e
       WHERE ${RANGE_EV('e', end)} AND e.revision > :rev AND e.prev_value IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM events x WHERE x.key = e.key AND x.revision > :rev AND x.revision < e.revision)
    ) ORDER BY key LIMIT :limit`;
}

function replaySql(end: boolean): string {
  return `SELECT ${EVENT_COLS} FROM events e
           WHERE e.revision > :from AND e.revision <= :to AND ${RANGE_EV('e', end)}
           ORDER BY e.revision LIMIT :limit`;
}

export interface RangeQuery {
  start: string;
  after: string;
  end: string | undefined;
  /** -1: no limit. */
  limit: number;
}

export class Statements {
  private readonly getKv: StatementSync;
  private readonly upsertKv: StatementSync;
  private readonly deleteKvStmt: StatementSync;
  private readonly insertEventStmt: StatementSync;
  private readonly getMetaStmt: StatementSync;
  private readonly setMetaStmt: StatementSync;
  private readonly listLatestStmt: [StatementSync, StatementSync];
  private readonly listAtStmt: [StatementSync, StatementSync];
  private readonly replayStmt: [StatementSync, StatementSync];
  private readonly oldestEventStmt: StatementSync;
  private readonly purgeStmt: StatementSync;

  constructor(db: DatabaseSync) {
    this.getKv = db.prepare(`SELECT ${KV_COLS} FROM kv WHERE key = ?`);
    this.upsertKv = db.prepare(
      `INSERT INTO kv (key, value, create_revision, mod_revision) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, mod_revision = excluded.mod_revision`,
    );
    this.deleteKvStmt = db.prepare('DELETE FROM kv WHERE key = ?');
    this.insertEventStmt = db.prepare(`INSERT INTO events (${EVENT_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.getMetaStmt = db.prepare('SELECT value FROM meta WHERE name = ?');
    this.setMetaStmt = db.prepare('UPDATE meta SET value = ? WHERE name = ?');
    // [unbounded, bounded] variants: "key < NULL" would defeat the index, so the end is optional SQL.
    this.listLatestStmt = [db.prepare(listLatestSql(false)), db.prepare(listLatestSql(true))];
    this.listAtStmt = [db.prepare(listAtSql(false)), db.prepare(listAtSql(true))];
    this.replayStmt = [db.prepare(replaySql(false)), db.prepare(replaySql(true))];
    this.oldestEventStmt = db.prepare('SELECT MIN(revision) AS revision FROM events');
    this.purgeStmt = db.prepare('DELETE FROM events WHERE revision <= ?');
  }

  get(key: string): KeyValue | undefined {
    const row = this.getKv.get(key);
    return row === undefined ? undefined : rowToKeyValue(row);
  }

  put(kv: KeyValue): void {
    this.upsertKv.run(kv.key, kv.value, kv.createRevision, kv.modRevision);
  }

  deleteKey(key: string): void {
    this.deleteKvStmt.run(key);
  }

  insertEvent(e: EventRow): void {
    this.insertEventStmt.run(e.revision, e.key, e.type, e.value, e.createRevision, e.prevValue, e.prevModRevision);
  }

  getMeta(name: 'revision' | 'compacted'): number {
    const row = this.getMetaStmt.get(name);
    if (row === undefined) throw new NodeletError(ErrorCode.Internal, `storage database: meta row ${name} is missing`);
    return num(row, 'value');
  }

  setMeta(name: 'revision' | 'compacted', value: number): void {
    this.setMetaStmt.run(value, name);
  }

  /** The current state of a key range, in key order. */
  listLatest(q: RangeQuery): KeyValue[] {
    const stmt = this.listLatestStmt[q.end === undefined ? 0 : 1];
    return stmt.all(params(q)).map(rowToKeyValue);
  }

  /** The state of a key range as of `revision` (history after it must still exist). */
  listAt(q: RangeQuery, revision: number): KeyValue[] {
    const stmt = this.listAtStmt[q.end === undefined ? 0 : 1];
    return stmt.all({ ...params(q), rev: revision }).map(rowToKeyValue);
  }

  /** Events in (from, to] for a key range, in revision order, at most `limit`. */
  replay(q: RangeQuery, from: number, to: number): EventRow[] {
    const stmt = this.replayStmt[q.end === undefined ? 0 : 1];
    return stmt.all({ ...params(q), from, to }).map(rowToEvent);
  }

  oldestEvent(): number | undefined {
    const row = this.oldestEventStmt.get();
    return row === undefined ? undefined : (numOrNull(row, 'revision') ?? undefined);
  }

  /** Deletes events at or before `revision`; returns how many. */
  purge(revision: number): number {
    return Number(this.purgeStmt.run(revision).changes);
  }
}

function params(q: RangeQuery): Record<string, string | number> {
  const p: Record<string, string | number> = { start: q.start, after: q.after, limit: q.limit };
  if (q.end !== undefined) p['end'] = q.end;
  return p;
}
