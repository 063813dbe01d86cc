// Upstream's (UID-tracking) ControllerExpectations: after a controller asks for N creations or
// deletes some pods, it does not act on that key again until its watch has shown them (or the
// expectations expire), so a burst is not doubled by a sync that runs on a stale cache.
import type { Clock } from '../../../base/clock.js';

/** Upstream's ExpectationsTimeout. */
export const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Record {
  adds: number;
  deletes: Set<string>;
  at: number;
}

export class Expectations {
  private readonly records = new Map<string, Record>();

  constructor(private readonly clock: Clock) {}

  /** True when the key may be managed: nothing pending, or the record expired. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (r === undefined) return true;
    if (r.adds <= 0 && r.deletes.size === 0) return true;
    return this.clock.now() - r.at > EXPECTATIONS_TTL_MS;
  }

  expectCreations(key: string, n: number): void {
    this.records.set(key, { adds: n, deletes: new Set(), at: this.clock.now() });
  }

  expectDeletions(key: string, uids: string[]): void {
    this.records.set(key, { adds: 0, deletes: new Set(uids), at: this.clock.now() });
  }

  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r !== undefined) r.adds--;
  }

  /** Lowers the expected creations (a create failed or was skipped). */
  creationSkipped(key: string, n = 1): void {
    this.creationObserved(key);
    const r = this.records.get(key);
    if (r !== undefined && n > 1) r.adds -= n - 1;
  }

  deletionObserved(key: string, uid: string): void {
    this.records.get(key)?.deletes.delete(uid);
  }

  forget(key: string): void {
    this.records.delete(key);
  }
}
