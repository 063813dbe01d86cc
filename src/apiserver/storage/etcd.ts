// The Store on etcd v3, over its gRPC API (etcd/client.ts) with a proto written from etcd's
// rpc.proto. etcd already has the model the Store describes (one revision, create/mod
// revisions, MVCC history, compaction), so each operation is one request:
//   create  Txn(create_revision(key) == 0 ? put : -)
//   update  Txn(mod_revision(key) == expected ? put(prev_kv) : range(key))
//   delete  DeleteRange(prev_kv), or Txn(mod_revision == expected ? delete : range) with an expectation
//   list    Range over [prefix, prefixEnd) at a revision, with limit; continue = last key + "\0"
//   watch   Watch from afterRevision + 1 with prev_kv (etcd/watch.ts)
//
// The compacted revision: etcd does not report it except in errors, so compact() records it in
// a marker key (codec.ts), compactedRevision() reads that, and a watch that etcd cancels for
// compaction raises what this store knows. A compaction made behind nodelet's back (etcdctl)
// shows as Gone from list and watch all the same; compactedRevision() lags until then.
import { systemClock, type Clock } from '../../base/clock.js';
import { ErrorCode, NodeletError } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import { Compactor, type CompactionOptions } from './compactor.js';
import { EtcdClient, type EtcdTlsFiles } from './etcd/client.js';
import { KeyCodec, RANGE_END_ALL, toKeyValue } from './etcd/codec.js';
import { etcdError, isCompactedError } from './etcd/errors.js';
import { etcdMethods, type EtcdMethods, type Msg } from './etcd/proto.js';
import { etcdWatch } from './etcd/watch.js';
import { checkKey, checkRevision, goneError } from './keys.js';
import type { KeyValue, ListOptions, ListResult, Store, WatchEvent, WatchOptions } from './store.js';

export interface EtcdStoreOptions {
  /** Client URLs of the members (--etcd-servers), e.g. ['http://10.0.0.1:2379', 'http://10.0.0.2:2379']. */
  endpoints: readonly string[];
  /** Prepended to every Store key in etcd: '' (default) stores /registry/... as is. */
  keyPrefix?: string;
  tls?: EtcdTlsFiles;
  /** Deadline of each request; default 10 s. */
  requestTimeoutMs?: number;
  /** How long a watch keeps trying to resume after losing etcd; default 30 s. */
  watchRetryMs?: number;
  /** Automatic compaction (default: every 5 minutes); false: only explicit compact() calls. */
  compaction?: CompactionOptions | false;
  clock?: Clock;
  log?: Logger;
}

const enc = (n: number): string => String(n);

export class EtcdStore implements Store {
  private readonly client: EtcdClient;
  private readonly rpc: EtcdMethods;
  private readonly codec: KeyCodec;
  private readonly clock: Clock;
  private readonly compactor: Compactor | undefined;
  /** The highest compacted revision this process has seen (marker key, own compactions, watch replies). */
  private knownCompacted = 0;
  private markerRead: Promise<number> | undefined;
  /** Aborted by dispose(): open watches end (return) instead of trying to reconnect. */
  private readonly closing = new AbortController();

  /** Connects lazily: the constructor does no I/O, the first request finds out whether etcd answers. */
  constructor(private readonly opts: EtcdStoreOptions) {
    this.rpc = etcdMethods();
    this.codec = new KeyCodec(opts.keyPrefix ?? '');
    this.client = new EtcdClient({ endpoints: opts.endpoints, ...(opts.tls ? { tls: opts.tls } : {}), ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}) });
    this.clock = opts.clock ?? systemClock;
    if (opts.compaction !== false) {
      this.compactor = new Compactor({ store: this, clock: this.clock, log: opts.log }, opts.compaction ?? {});
      this.compactor.start();
    }
  }

  async get(key: string, opts?: { signal?: AbortSignal }): Promise<KeyValue | undefined> {
    checkKey(key);
    const res = await this.read('get', this.rpc.range, { key: this.codec.encode(key) }, opts?.signal);
    const first = res.list('kvs')[0];
    return first === undefined ? undefined : toKeyValue(first, this.codec);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const revision = opts.revision ?? 0;
    checkRevision('list revision', revision);
    const limit = opts.limit ?? 0;
    checkRevision('list limit', limit);
    if (revision > 0 && revision < (await this.compactedOnce())) throw goneError('list', revision, this.knownCompacted);
    const range = this.codec.range(prefix, opts.startAfter);
    let res: Msg;
    try {
      res = await this.read(
        'list',
        this.rpc.range,
        { key: range.key, range_end: range.rangeEnd ?? RANGE_END_ALL, limit: enc(limit), revision: enc(revision) },
        opts.signal,
      );
    } catch (err) {
      if (err instanceof NodeletError && err.code === ErrorCode.Gone) {
        throw new NodeletError(ErrorCode.Gone, `list at revision ${revision} is too old: etcd compacted that history; list again to get a current revision`, { cause: err });
      }
      throw err;
    }
    return {
      items: res.list('kvs').map((kv) => toKeyValue(kv, this.codec)),
      revision: revision > 0 ? revision : res.msg('header').int('revision'),
      more: res.bool('more'),
    };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    checkKey(key);
    const k = this.codec.encode(key);
    const res = await this.write('create', this.rpc.txn, {
      compare: [{ result: 'EQUAL', target: 'CREATE', key: k, create_revision: '0' }],
      success: [{ request_put: { key: k, value: Buffer.from(value, 'utf8') } }],
      failure: [],
    });
    if (!res.bool('succeeded')) throw new NodeletError(ErrorCode.AlreadyExists, `${key} already exists`);
    const rev = res.msg('header').int('revision');
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    checkKey(key);
    checkExpected(expectedRevision);
    const k = this.codec.encode(key);
    const res = await this.write('update', this.rpc.txn, {
      compare: [{ result: 'EQUAL', target: 'MOD', key: k, mod_revision: enc(expectedRevision) }],
      success: [{ request_put: { key: k, value: Buffer.from(value, 'utf8'), prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.bool('succeeded')) throw this.casFailure(key, expectedRevision, res);
    const prev = res.list('responses')[0]?.msg('response_put').msg('prev_kv');
    return { key, value, createRevision: prev?.int('create_revision') ?? 0, modRevision: res.msg('header').int('revision') };
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    checkKey(key);
    const k = this.codec.encode(key);
    let deleted: Msg | undefined;
    let header: Msg;
    if (expectedRevision === undefined) {
      const res = await this.write('delete', this.rpc.deleteRange, { key: k, prev_kv: true });
      deleted = res.list('prev_kvs')[0];
      header = res.msg('header');
    } else {
      checkExpected(expectedRevision);
      const res = await this.write('delete', this.rpc.txn, {
        compare: [{ result: 'EQUAL', target: 'MOD', key: k, mod_revision: enc(expectedRevision) }],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      });
      if (!res.bool('succeeded')) throw this.casFailure(key, expectedRevision, res);
      deleted = res.list('responses')[0]?.msg('response_delete_range').list('prev_kvs')[0];
      header = res.msg('header');
    }
    if (deleted === undefined) throw new NodeletError(ErrorCode.NotFound, `${key} not found`);
    return { ...toKeyValue(deleted, this.codec), modRevision: header.int('revision') };
  }

  async currentRevision(): Promise<number> {
    const res = await this.read('current revision', this.rpc.range, { key: this.codec.markerKey, count_only: true });
    return res.msg('header').int('revision');
  }

  async compactedRevision(): Promise<number> {
    const res = await this.read('compacted revision', this.rpc.range, { key: this.codec.markerKey });
    const marker = res.list('kvs')[0];
    const recorded = marker === undefined ? 0 : Number(marker.bytes('value').toString('utf8'));
    if (Number.isSafeInteger(recorded)) this.learnCompacted(recorded);
    return this.knownCompacted;
  }

  /** Compacts etcd's history, then records the revision in the marker key (only ever raising it). */
  async compact(revision: number): Promise<void> {
    checkRevision('compact revision', revision);
    if (revision <= this.knownCompacted) return;
    try {
      await this.write('compact', this.rpc.compact, { revision: enc(revision), physical: false });
    } catch (err) {
      // Someone compacted at or past it already: nothing to do but the marker.
      if (!(err instanceof NodeletError && isCompactedError(err.cause))) throw err;
    }
    await this.raiseMarker(revision);
    this.learnCompacted(revision);
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    return this.watchEvents(prefix, opts);
  }

  async dispose(): Promise<void> {
    this.closing.abort();
    await this.compactor?.dispose();
    this.client.dispose();
  }

  private async *watchEvents(prefix: string, opts: WatchOptions): AsyncGenerator<WatchEvent> {
    checkRevision('watch revision', opts.afterRevision);
    // Ours, not etcd's rule: etcd would still serve start_revision == compacted, whose events
    // may be partly compacted (deletes at that revision are gone); the Store calls that Gone.
    if (opts.afterRevision < (await this.compactedOnce())) throw goneError('watch', opts.afterRevision, this.knownCompacted);
    yield* etcdWatch({
      client: this.client,
      method: this.rpc.watch,
      codec: this.codec,
      range: this.codec.range(prefix),
      afterRevision: opts.afterRevision,
      signal: AbortSignal.any([opts.signal, this.closing.signal]),
      clock: this.clock,
      retryMs: this.opts.watchRetryMs ?? 30_000,
      onCompacted: (rev) => this.learnCompacted(rev),
    });
  }

  /** Puts the marker unless it already holds a higher revision (compare-and-swap on its mod revision). */
  private async raiseMarker(revision: number): Promise<void> {
    const key = this.codec.markerKey;
    for (let attempt = 0; attempt < 5; attempt++) {
      const res = await this.read('compaction marker', this.rpc.range, { key });
      const current = res.list('kvs')[0];
      const recorded = current === undefined ? 0 : Number(current.bytes('value').toString('utf8'));
      if (Number.isSafeInteger(recorded) && recorded >= revision) return;
      const txn = await this.write('compaction marker', this.rpc.txn, {
        compare: [{ result: 'EQUAL', target: 'MOD', key, mod_revision: enc(current?.int('mod_revision') ?? 0) }],
        success: [{ request_put: { key, value: Buffer.from(String(revision), 'utf8') } }],
        failure: [],
      });
      if (txn.bool('succeeded')) return;
    }
    this.opts.log?.warn('could not record the etcd compaction revision: the marker key keeps changing', { revision });
  }

  /** The compacted revision, reading the marker once per process (later: what was learned since). */
  private async compactedOnce(): Promise<number> {
    this.markerRead ??= this.compactedRevision().catch((err: unknown) => {
      this.markerRead = undefined; // try again next time
      throw err;
    });
    await this.markerRead;
    return this.knownCompacted;
  }

  private learnCompacted(revision: number): void {
    if (revision > this.knownCompacted) this.knownCompacted = revision;
  }

  /** Conflict or NotFound from the range in a failed compare-and-swap's else branch. */
  private casFailure(key: string, expected: number, res: Msg): NodeletError {
    const current = res.list('responses')[0]?.msg('response_range').list('kvs')[0];
    if (current === undefined) return new NodeletError(ErrorCode.NotFound, `${key} not found`);
    return new NodeletError(ErrorCode.Conflict, `${key} was modified: expected revision ${expected}, it is at ${current.int('mod_revision')}`);
  }

  private read(op: string, method: EtcdMethods['range'], request: object, signal?: AbortSignal): Promise<Msg> {
    return this.client.unary(op, method, request, { retry: true, signal });
  }

  private async write(op: string, method: EtcdMethods['txn'], request: object): Promise<Msg> {
    try {
      return await this.client.unary(op, method, request, { retry: false });
    } catch (err) {
      throw etcdError(op, err);
    }
  }
}

function checkExpected(expectedRevision: number): void {
  if (!Number.isSafeInteger(expectedRevision) || expectedRevision <= 0) {
    throw new NodeletError(ErrorCode.InvalidArgument, `expected revision must be a positive whole number, got ${expectedRevision}`);
  }
}
