// The scheduler's events (Scheduled, FailedScheduling) as core/v1 Events from source.component
// default-scheduler: record() never blocks; a few writers drain a bounded queue (oldest dropped),
// a repeat of the same reason and message for the same pod bumps the existing event's count, as
// client-go's correlator does. Best effort: a failed write is logged and dropped.
import type { KubeClient } from '../../../api/client/types.js';
import type { KubeObject } from '../../../api/object.js';
import type { Clock } from '../../../base/clock.js';
import { ErrorCode, errorMessage, isNodeletError } from '../../../base/errors.js';
import type { Disposable } from '../../../base/lifecycle.js';
import type { Logger } from '../../../base/log.js';
import { DEFAULT_SCHEDULER_NAME } from './parse.js';

export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
}

interface Pending {
  pod: PodRef;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  at: number;
}

interface Written {
  name: string;
  count: number;
  firstMs: number;
}

const MAX_QUEUED = 1000;
const MAX_REMEMBERED = 4096;

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function eventObject(e: Pending, w: Written, component: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: w.name, namespace: e.pod.namespace },
    involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: e.pod.namespace, name: e.pod.name, uid: e.pod.uid, resourceVersion: e.pod.resourceVersion },
    reason: e.reason,
    message: e.message,
    source: { component },
    firstTimestamp: rfc3339(w.firstMs),
    lastTimestamp: rfc3339(e.at),
    count: w.count,
    type: e.type,
    eventTime: null,
    reportingComponent: component,
    reportingInstance: component,
  };
}

export class SchedulerEvents implements Disposable {
  private readonly queue: Pending[] = [];
  private readonly written = new Map<string, Written>();
  private readonly stop = new AbortController();
  private writers = 0;
  private seq = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly deps: { client: KubeClient; clock: Clock; log: Logger },
    private readonly opts: { component?: string; concurrency?: number } = {},
  ) {}

  record(pod: PodRef, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.stop.signal.aborted) return;
    if (this.queue.length >= MAX_QUEUED) this.queue.shift();
    this.queue.push({ pod, type, reason, message, at: this.deps.clock.now() });
    if (this.writers < (this.opts.concurrency ?? 4)) {
      this.writers++;
      void this.drain();
    }
  }

  /** Resolves when everything queued so far is written or dropped. */
  idle(): Promise<void> {
    if (this.writers === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async dispose(): Promise<void> {
    this.stop.abort();
    this.queue.length = 0;
    await this.idle();
  }

  private async drain(): Promise<void> {
    try {
      for (let e = this.queue.shift(); e !== undefined && !this.stop.signal.aborted; e = this.queue.shift()) await this.write(e);
    } finally {
      if (--this.writers === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async write(e: Pending): Promise<void> {
    const component = this.opts.component ?? DEFAULT_SCHEDULER_NAME;
    const base = `/api/v1/namespaces/${encodeURIComponent(e.pod.namespace)}/events`;
    const key = `${e.pod.uid}\u0000${e.reason}\u0000${e.message}`;
    const previous = this.written.get(key);
    const signal = this.stop.signal;
    try {
      if (previous !== undefined) {
        const next = { ...previous, count: previous.count + 1 };
        try {
          await this.deps.client.patch(`${base}/${encodeURIComponent(previous.name)}`, 'merge', { count: next.count, lastTimestamp: rfc3339(e.at) }, { signal });
          this.remember(key, next);
          return;
        } catch (err) {
          if (!isNodeletError(err, ErrorCode.NotFound)) throw err;
        }
      }
      const nanos = BigInt(e.at) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
      const w: Written = { name: `${e.pod.name}.${nanos.toString(16).padStart(16, '0')}`, count: 1, firstMs: e.at };
      await this.deps.client.create(base, eventObject(e, w, component), { signal });
      this.remember(key, w);
    } catch (err) {
      if (!signal.aborted) this.deps.log.warn('scheduler: failed to write event; dropped', { pod: `${e.pod.namespace}/${e.pod.name}`, reason: e.reason, error: errorMessage(err) });
    }
  }

  private remember(key: string, w: Written): void {
    this.written.delete(key);
    if (this.written.size >= MAX_REMEMBERED) {
      const oldest = this.written.keys().next();
      if (oldest.done !== true) this.written.delete(oldest.value);
    }
    this.written.set(key, w);
  }
}
