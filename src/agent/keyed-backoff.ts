// Per-key exponential back-off with upstream's flowcontrol.Backoff semantics, used for
// CrashLoopBackOff (10 s doubling to 5 min) and image pulls: an entry resets when the event comes
// more than 2 x max after the entry's last update, which is what makes a container that ran for
// ten minutes start its next crash loop at 10 s again.
import type { Clock } from '../base/clock.js';

interface Entry {
  delayMs: number;
  lastUpdateMs: number;
}

export class KeyedBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {}

  private expired(entry: Entry, eventMs: number): boolean {
    return eventMs - entry.lastUpdateMs > 2 * this.maxMs;
  }

  /** True while `now - eventMs` is shorter than the key's current delay (the event being the last failure). */
  inBackoffSince(key: string, eventMs: number): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined || this.expired(entry, eventMs)) return false;
    return this.clock.now() - eventMs < entry.delayMs;
  }

  /** True while less than the key's delay has passed since its last recorded failure (image pulls). */
  inBackoffSinceUpdate(key: string): boolean {
    const entry = this.entries.get(key);
    const now = this.clock.now();
    if (entry === undefined || this.expired(entry, now)) return false;
    return now - entry.lastUpdateMs < entry.delayMs;
  }

  /** Records a failure at `eventMs`: first (or after expiry) the initial delay, then doubling to max. */
  next(key: string, eventMs: number): void {
    const entry = this.entries.get(key);
    if (entry === undefined || this.expired(entry, eventMs)) {
      this.entries.set(key, { delayMs: this.initialMs, lastUpdateMs: eventMs });
      return;
    }
    entry.delayMs = Math.min(entry.delayMs * 2, this.maxMs);
    entry.lastUpdateMs = eventMs;
  }

  /** Milliseconds left before `key` may retry, counting from `eventMs` (0 when not in back-off). */
  remainingMs(key: string, eventMs: number): number {
    const entry = this.entries.get(key);
    if (entry === undefined || this.expired(entry, eventMs)) return 0;
    return Math.max(0, eventMs + entry.delayMs - this.clock.now());
  }

  /** Milliseconds left of the delay that started at the key's last recorded failure. */
  remainingSinceUpdateMs(key: string): number {
    const entry = this.entries.get(key);
    const now = this.clock.now();
    if (entry === undefined || this.expired(entry, now)) return 0;
    return Math.max(0, entry.lastUpdateMs + entry.delayMs - now);
  }

  /** The key's current delay (0 when it has none). */
  delayMs(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drops entries whose keys start with `prefix` (a pod's keys when it goes away). */
  resetPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
