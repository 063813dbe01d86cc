// Pending pods (upstream's scheduling queue, simplified): an active FIFO the loop pops from, and
// the unschedulable pods, parked until something changes that could help them (a node added or
// changed, a bound pod gone) or the periodic flush; a parked pod moves back only after its
// back-off (1 s doubling to 10 s per failed attempt, upstream's podInitialBackoff/podMaxBackoff).
// A change to a parked pod's own spec moves it back at once.

export const INITIAL_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 10_000;

interface Parked {
  fingerprint: string;
  attempts: number;
  readyAtMs: number;
}

export class SchedulingQueue {
  private readonly active = new Set<string>();
  private readonly parked = new Map<string, Parked>();
  private readonly attempts = new Map<string, number>();

  get activeCount(): number {
    return this.active.size;
  }

  get parkedCount(): number {
    return this.parked.size;
  }

  isParked(key: string): boolean {
    return this.parked.has(key);
  }

  /** A pending pod was added or changed: queue it unless it is parked with the same spec. */
  offer(key: string, fingerprint: string): boolean {
    const parked = this.parked.get(key);
    if (parked !== undefined) {
      if (parked.fingerprint === fingerprint) return false;
      this.parked.delete(key);
    }
    this.active.add(key);
    return true;
  }

  pop(): string | undefined {
    const next = this.active.values().next();
    if (next.done === true) return undefined;
    this.active.delete(next.value);
    return next.value;
  }

  /** The pod fits nowhere: park it until a move (and its back-off) lets it try again. */
  park(key: string, fingerprint: string, nowMs: number): void {
    const attempts = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempts);
    const backoff = Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** (attempts - 1));
    this.parked.set(key, { fingerprint, attempts, readyAtMs: nowMs + backoff });
  }

  /** Re-queue a pod after a transient failure (e.g. its binding failed). */
  requeue(key: string): void {
    if (!this.parked.has(key)) this.active.add(key);
  }

  /** Moves parked pods whose back-off has passed; returns when the next one will be ready (undefined: none waits). */
  moveParked(nowMs: number): number | undefined {
    let next: number | undefined;
    for (const [key, p] of this.parked) {
      if (p.readyAtMs <= nowMs) {
        this.parked.delete(key);
        this.active.add(key);
      } else if (next === undefined || p.readyAtMs < next) {
        next = p.readyAtMs;
      }
    }
    return next;
  }

  /** The pod is gone, bound or not ours any more. */
  delete(key: string): void {
    this.active.delete(key);
    this.parked.delete(key);
    this.attempts.delete(key);
  }
}
