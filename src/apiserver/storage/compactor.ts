// Automatic compaction, as kube-apiserver does it for etcd: every interval, compact to the
// revision the store had at the previous tick. History therefore always covers at least one
// interval (a watcher that falls behind by less than that can resume) and at most about two.
// `maxRevisions` additionally caps history at each tick for very busy stores.
import type { Clock } from '../../base/clock.js';
import { errorMessage } from '../../base/errors.js';
import type { Disposable } from '../../base/lifecycle.js';
import type { Logger } from '../../base/log.js';
import type { Store } from './store.js';

export interface CompactionOptions {
  /** Time between compactions; default 5 minutes (kube-apiserver's --etcd-compaction-interval). */
  intervalMs?: number;
  /** If set, each tick also drops history older than the newest `maxRevisions` revisions. */
  maxRevisions?: number;
}

export const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60 * 1000;

export interface CompactorDeps {
  store: Pick<Store, 'currentRevision' | 'compactedRevision' | 'compact'>;
  clock: Clock;
  log?: Logger | undefined;
}

/** The revision one tick compacts to; undefined for "nothing to do". Pure. */
export function compactionTarget(input: {
  current: number;
  previousTick: number | undefined;
  compacted: number;
  maxRevisions?: number | undefined;
}): number | undefined {
  let target = input.previousTick ?? 0;
  if (input.maxRevisions !== undefined && input.maxRevisions > 0) {
    target = Math.max(target, input.current - input.maxRevisions);
  }
  target = Math.min(target, input.current);
  return target > input.compacted ? target : undefined;
}

export class Compactor implements Disposable {
  private previousTick: number | undefined;
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;
  readonly intervalMs: number;

  constructor(
    private readonly deps: CompactorDeps,
    private readonly opts: CompactionOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? DEFAULT_COMPACTION_INTERVAL_MS;
  }

  /** Starts ticking every interval until disposed. Idempotent. */
  start(): void {
    this.loop ??= this.run();
  }

  /**
   * One round: remembers the current revision for the next round and compacts to the one from
   * the previous round. Returns the revision compacted to, or undefined. Errors propagate.
   */
  async tick(): Promise<number | undefined> {
    const current = await this.deps.store.currentRevision();
    const target = compactionTarget({
      current,
      previousTick: this.previousTick,
      compacted: await this.deps.store.compactedRevision(),
      maxRevisions: this.opts.maxRevisions,
    });
    this.previousTick = current;
    if (target === undefined) return undefined;
    await this.deps.store.compact(target);
    this.deps.log?.debug('storage compacted', { revision: target, current });
    return target;
  }

  async dispose(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      try {
        await this.deps.clock.sleep(this.intervalMs, signal);
      } catch {
        return; // aborted
      }
      try {
        await this.tick();
      } catch (err) {
        // The next tick tries again; a store that is down is logged by its own callers too.
        this.deps.log?.warn('storage compaction failed', { error: errorMessage(err) });
      }
    }
  }
}
