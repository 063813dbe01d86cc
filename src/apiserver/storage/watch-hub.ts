// In-process watch fan-out for a store that commits its own writes (SQLite). After each commit
// the store publishes the committed events synchronously; every subscription whose prefix
// matches gets them appended to its own bounded queue, so a slow watcher never delays a writer
// or the other watchers.
//
// Too slow: a subscription whose queue holds `limit` undelivered events is ended with
// ResourceExhausted (as kube-apiserver's cacher drops a watcher whose buffer stays full). The
// events delivered before that were complete and in order, so the client may watch again from
// the last revision it saw while history still has it, or list again.
import { ErrorCode, NodeletError } from '../../base/errors.js';
import { EventQueue } from './event-queue.js';
import type { WatchEvent } from './store.js';

/** Default bound of undelivered events per watcher. */
export const DEFAULT_WATCH_BUFFER = 10_000;

export class Subscription {
  readonly queue: EventQueue<WatchEvent>;

  constructor(
    readonly prefix: string,
    limit: number,
    private readonly onClose: (sub: Subscription) => void,
  ) {
    this.queue = new EventQueue<WatchEvent>(
      limit,
      () =>
        new NodeletError(
          ErrorCode.ResourceExhausted,
          `watch of ${JSON.stringify(prefix)} ended: the watcher fell ${limit} events behind; watch again from the last revision seen, or list again`,
        ),
    );
  }

  /** Stops delivery and ends the queue (the consumer drains what it has). Idempotent. */
  close(): void {
    this.queue.end();
    this.onClose(this);
  }
}

export class WatchHub {
  private readonly subs = new Set<Subscription>();

  constructor(private readonly limit = DEFAULT_WATCH_BUFFER) {}

  get size(): number {
    return this.subs.size;
  }

  /** Live events published from now on, for keys starting with `prefix`. */
  subscribe(prefix: string): Subscription {
    const sub = new Subscription(prefix, this.limit, (s) => this.subs.delete(s));
    this.subs.add(sub);
    return sub;
  }

  /** Called by the store right after a commit, with that commit's events in revision order. */
  publish(events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    for (const sub of this.subs) {
      for (const ev of events) {
        if (!ev.kv.key.startsWith(sub.prefix)) continue;
        if (!sub.queue.push(ev)) {
          // Ended (overflow or closed): nothing more goes to it.
          this.subs.delete(sub);
          break;
        }
      }
    }
  }

  /** Ends every subscription (store shutdown): watchers drain and finish. */
  closeAll(): void {
    for (const sub of [...this.subs]) sub.close();
  }
}
