// A deduplicating queue with one worker: adding a key already waiting is a no-op, a key that
// fails is retried after a back-off, keys run one at a time. What the in-process controllers use
// so event handlers only record and one loop does the work.
import type { Clock } from '../../base/clock.js';
import { backoffDelay } from '../../base/backoff.js';
import { errorMessage } from '../../base/errors.js';
import type { Disposable } from '../../base/lifecycle.js';
import type { Logger } from '../../base/log.js';

export class WorkQueue implements Disposable {
  private readonly waiting = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly stop = new AbortController();
  private wake: (() => void) | undefined;
  private done: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly deps: { clock: Clock; log: Logger; name: string },
    private readonly work: (key: string, signal: AbortSignal) => Promise<void>,
  ) {}

  add(key: string): void {
    if (this.stop.signal.aborted) return;
    this.waiting.add(key);
    this.wake?.();
  }

  start(): void {
    this.done ??= this.run();
  }

  /** Resolves when no key is waiting or running (for tests and orderly shutdown). */
  idle(): Promise<void> {
    if (this.waiting.size === 0 && !this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async dispose(): Promise<void> {
    this.stop.abort();
    this.wake?.();
    await this.done;
  }

  private busy = false;

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      const next = this.waiting.values().next();
      if (next.done === true) {
        for (const w of this.idleWaiters.splice(0)) w();
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const key = next.value;
      this.waiting.delete(key);
      this.busy = true;
      try {
        await this.work(key, signal);
        this.failures.delete(key);
      } catch (err) {
        if (signal.aborted) break;
        const attempt = this.failures.get(key) ?? 0;
        this.failures.set(key, attempt + 1);
        this.deps.log.warn(`${this.deps.name}: will retry`, { key, error: errorMessage(err) });
        void this.deps.clock.sleep(backoffDelay(attempt, { initialMs: 500, maxMs: 60_000 }), signal).then(() => this.add(key), () => undefined);
      } finally {
        this.busy = false;
      }
    }
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
