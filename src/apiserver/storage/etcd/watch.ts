// One Store watch on etcd: a Watch stream for the key range from afterRevision+1, resumed from
// the last delivered revision when the connection drops, so events are neither lost nor
// repeated across reconnects (etcd sends all events of one revision in one response).
//
// Flow control instead of a drop rule: when the consumer lags, the stream is paused and HTTP/2
// back-pressure reaches etcd, which parks the watcher and later catches it up from its history.
// A watcher that lags past etcd's compaction gets Gone, like every watch from a compacted revision.
import type * as grpc from '@grpc/grpc-js';
import { backoffDelay } from '../../../base/backoff.js';
import type { Clock } from '../../../base/clock.js';
import { ErrorCode, NodeletError, errorMessage } from '../../../base/errors.js';
import { goneError } from '../keys.js';
import type { WatchEvent } from '../store.js';
import { EventQueue } from '../event-queue.js';
import type { EtcdClient } from './client.js';
import { RANGE_END_ALL, toWatchEvent, type EtcdRange, type KeyCodec } from './codec.js';
import { etcdError, grpcCode } from './errors.js';
import { Msg, type EtcdMethod } from './proto.js';
import { status as GrpcStatus } from '@grpc/grpc-js';

export interface EtcdWatchParams {
  client: EtcdClient;
  method: EtcdMethod;
  codec: KeyCodec;
  range: EtcdRange;
  afterRevision: number;
  signal: AbortSignal;
  clock: Clock;
  /** How long reconnecting may fail before the watch ends with Unavailable. */
  retryMs: number;
  /** Told the compacted revision etcd reported. */
  onCompacted: (revision: number) => void;
}

/** Responses buffered before the stream is paused, and the level at which it resumes. */
const HIGH_WATER = 256;
const LOW_WATER = 64;
const RETRY_BACKOFF = { initialMs: 100, maxMs: 2000 };

/** Failures after which the watch reconnects rather than ends. */
function retryable(err: unknown): boolean {
  const code = grpcCode(err);
  return code === GrpcStatus.UNAVAILABLE || code === GrpcStatus.INTERNAL || code === GrpcStatus.UNKNOWN;
}

class StreamEnded extends Error {}

/** One Watch stream with one watcher on it, read through a queue. */
class Session {
  private readonly queue = new EventQueue<Msg>(Number.MAX_SAFE_INTEGER, () => undefined);
  private paused = false;

  static async open(p: EtcdWatchParams, startRevision: number): Promise<Session> {
    const opened = await p.client.openWatch(p.method, p.signal);
    return new Session(p, startRevision, opened.call, opened.failed);
  }

  private constructor(
    p: EtcdWatchParams,
    startRevision: number,
    private readonly call: grpc.ClientDuplexStream<object, object>,
    readonly failed: () => void,
  ) {
    this.call.on('data', (data: unknown) => {
      try {
        this.queue.push(Msg.of(data, 'WatchResponse'));
      } catch (err) {
        this.queue.fail(err);
        return;
      }
      if (!this.paused && this.queue.size >= HIGH_WATER) {
        this.paused = true;
        this.call.pause();
      }
    });
    this.call.on('error', (err: unknown) => this.queue.fail(err));
    this.call.on('end', () => this.queue.fail(new StreamEnded('etcd closed the watch stream')));
    this.call.write({
      create_request: {
        key: p.range.key,
        range_end: p.range.rangeEnd ?? RANGE_END_ALL,
        start_revision: String(startRevision),
        prev_kv: true,
      },
    });
  }

  async next(): Promise<Msg | undefined> {
    const msg = await this.queue.next();
    if (this.paused && this.queue.size <= LOW_WATER) {
      this.paused = false;
      this.call.resume();
    }
    return msg;
  }

  close(): void {
    this.queue.end();
    this.call.cancel();
  }
}

export async function* etcdWatch(p: EtcdWatchParams): AsyncGenerator<WatchEvent> {
  let last = p.afterRevision;
  let failures = 0;
  let failingSince: number | undefined;
  while (!p.signal.aborted) {
    let session: Session | undefined;
    const onAbort = (): void => session?.close();
    p.signal.addEventListener('abort', onAbort, { once: true });
    try {
      session = await Session.open(p, last + 1);
      if (p.signal.aborted) return; // aborted while connecting: onAbort had no session to close
      for (;;) {
        const res = await session.next();
        if (res === undefined || p.signal.aborted) return;
        const compacted = res.int('compact_revision');
        if (compacted > 0) {
          p.onCompacted(compacted);
          throw goneError('watch', last, compacted);
        }
        if (res.bool('canceled')) {
          throw new NodeletError(ErrorCode.Unavailable, `etcd cancelled the watch: ${res.str('cancel_reason') || 'no reason given'}`);
        }
        if (res.bool('created')) {
          failures = 0;
          failingSince = undefined;
        }
        for (const ev of res.list('events')) {
          const event = toWatchEvent(ev, p.codec);
          last = event.kv.modRevision;
          yield event;
          if (p.signal.aborted) return;
        }
      }
    } catch (err) {
      if (p.signal.aborted) return;
      const unavailable = err instanceof NodeletError && err.code === ErrorCode.Unavailable && session === undefined;
      if (!(err instanceof StreamEnded) && !retryable(err) && !unavailable) throw etcdError('watch', err);
      session?.failed();
      const now = p.clock.now();
      failingSince ??= now;
      if (now - failingSince > p.retryMs) {
        throw new NodeletError(ErrorCode.Unavailable, `etcd watch lost its connection and could not resume for ${p.retryMs} ms: ${errorMessage(err)}`, { cause: err });
      }
      try {
        await p.clock.sleep(backoffDelay(failures++, RETRY_BACKOFF), p.signal);
      } catch {
        return; // aborted while waiting
      }
    } finally {
      p.signal.removeEventListener('abort', onAbort);
      session?.close();
    }
  }
}
