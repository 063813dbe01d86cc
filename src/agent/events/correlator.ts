// What to do with an event before it is written, as client-go's EventCorrelator (simplified):
//  - spam filter: a token bucket per involved object (burst 25, one token per 5 minutes), so a
//    crash-looping pod cannot flood the apiserver;
//  - deduplication: an event identical to one written in the last 10 minutes (same object, type,
//    reason, message) becomes a count++ / lastTimestamp update of the existing Event.
// Pure state over injected times; the recorder tells it what was written.
import type { InvolvedObject } from './refs.js';

export interface CorrelatorOptions {
  windowMs: number;
  spamBurst: number;
  spamRefillMs: number;
  /** Most keys remembered (oldest forgotten first), as upstream's LRU caches. */
  maxKeys: number;
}

export const DEFAULT_CORRELATOR_OPTIONS: CorrelatorOptions = {
  windowMs: 10 * 60_000,
  spamBurst: 25,
  spamRefillMs: 5 * 60_000,
  maxKeys: 4096,
};

export interface CorrelatedEvent {
  involved: InvolvedObject;
  type: string;
  reason: string;
  message: string;
  /** When it happened (ms). */
  at: number;
}

export interface WrittenEvent {
  name: string;
  namespace: string;
  count: number;
  firstMs: number;
  lastMs: number;
}

export type Decision = { action: 'drop' } | { action: 'create' } | { action: 'update'; previous: WrittenEvent };

interface Bucket {
  tokens: number;
  refilledAt: number;
}

function objectKey(o: InvolvedObject): string {
  return JSON.stringify([o.kind, o.namespace, o.name, o.uid, o.apiVersion]);
}

export function eventKey(e: Omit<CorrelatedEvent, 'at'>): string {
  const o = e.involved;
  return JSON.stringify([o.kind, o.namespace, o.name, o.uid, o.apiVersion, o.fieldPath ?? '', e.type, e.reason, e.message]);
}

/** Sets a key as the most recent entry, evicting the oldest beyond `max`. */
function touch<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done === true) break;
    map.delete(oldest.value);
  }
}

export class EventCorrelator {
  private readonly buckets = new Map<string, Bucket>();
  private readonly written = new Map<string, WrittenEvent>();

  constructor(private readonly opts: CorrelatorOptions = DEFAULT_CORRELATOR_OPTIONS) {}

  decide(e: CorrelatedEvent): Decision {
    if (!this.takeToken(objectKey(e.involved), e.at)) return { action: 'drop' };
    const previous = this.written.get(eventKey(e));
    if (previous !== undefined && e.at - previous.lastMs <= this.opts.windowMs) return { action: 'update', previous: { ...previous } };
    return { action: 'create' };
  }

  /** The event as written (created or updated). */
  wrote(e: Omit<CorrelatedEvent, 'at'>, written: WrittenEvent): void {
    touch(this.written, eventKey(e), { ...written }, this.opts.maxKeys);
  }

  private takeToken(key: string, now: number): boolean {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) bucket = { tokens: this.opts.spamBurst, refilledAt: now };
    const refill = Math.floor((now - bucket.refilledAt) / this.opts.spamRefillMs);
    if (refill > 0) {
      bucket.tokens = Math.min(this.opts.spamBurst, bucket.tokens + refill);
      bucket.refilledAt += refill * this.opts.spamRefillMs;
    }
    if (bucket.tokens >= this.opts.spamBurst) bucket.refilledAt = now;
    const ok = bucket.tokens > 0;
    if (ok) bucket.tokens--;
    touch(this.buckets, key, bucket, this.opts.maxKeys);
    return ok;
  }
}
